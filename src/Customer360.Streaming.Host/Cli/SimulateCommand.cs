using System.CommandLine;
using Confluent.Kafka;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 simulate</c>: a seeded population's relationship profiles, identity links and journeys, produced as Avro
/// through the registry to any Kafka (embedded or real) at a steady rate, with progress lines.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var bootstrap = CommonOptions.BootstrapServers();
        var registryUrl = new Option<string?>("--registry-url") { Description = "Schema Registry URL(s) (default: C360__SchemaRegistry__Url)." };
        var customers = new Option<int>("--customers") { Description = "Size of the population.", DefaultValueFactory = _ => 1_000 };
        customers.Validators.Add(r => CommonOptions.RequireRange(r, "--customers", 1, 100_000));
        var rate = new Option<int>("--rate") { Description = "Journey events per second to aim for (as many journeys run at once as that needs, up to --customers).", DefaultValueFactory = _ => 50 };
        rate.Validators.Add(r => CommonOptions.RequireRange(r, "--rate", 1, 10_000));
        var duration = new Option<int>("--duration") { Description = "Seconds of journey events after the setup.", DefaultValueFactory = _ => 60 };
        duration.Validators.Add(r => CommonOptions.RequireRange(r, "--duration", 1, 86_400));
        var seed = new Option<int>("--seed") { Description = "The same seed gives the same population and journeys.", DefaultValueFactory = _ => 7 };
        var keyedByCustomer = CommonOptions.KeyedByCustomer();
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("simulate", "Produce a seeded population's profiles, links and journeys to Kafka as Avro through the registry.")
        {
            bootstrap, registryUrl, customers, rate, duration, seed, keyedByCustomer, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var servers = parse.GetValue(bootstrap) ?? Environment.GetEnvironmentVariable("C360__Kafka__BootstrapServers");
            var url = CommonOptions.RegistryUrl(parse.GetValue(registryUrl));
            if (string.IsNullOrWhiteSpace(servers) || string.IsNullOrWhiteSpace(url))
            {
                await Console.Error.WriteLineAsync("--bootstrap-servers and --registry-url are required (or C360__Kafka__BootstrapServers and C360__SchemaRegistry__Url).");
                return ExitCodes.InvalidConfiguration;
            }

            if (CommonOptions.AddressProblem(servers, url) is { } address)
            {
                await Console.Error.WriteLineAsync(address);
                return ExitCodes.InvalidConfiguration;
            }

            if (!CommonOptions.TryRegistryOptions(url, out var registryOptions) || !CommonOptions.TryKafkaOptions(servers, applicationId: null, out var kafka))
            {
                return ExitCodes.InvalidConfiguration;
            }

            var folder = parse.GetValue(topologyDir);
            if (!CommonOptions.TryLoadCatalog(folder, out var catalog) || !CommonOptions.CanKeyByCustomer(parse.GetValue(keyedByCustomer), catalog))
            {
                return ExitCodes.InvalidConfiguration;
            }

            // The command is the composition root: the one place the system clock is chosen.
            var time = TimeProvider.System;
            var stores = StoreCatalog.Load(ContentFolders.StoresFile(folder));
            var rateValue = parse.GetValue(rate);
            var population = new Population(
                parse.GetValue(customers), parse.GetValue(seed), stores, time.GetUtcNow().ToUnixTimeMilliseconds(), rateValue,
                ProductTopicNames.FromCatalog(catalog), parse.GetValue(keyedByCustomer));
            using var registry = new SchemaRegistryClient(registryOptions);
            var producer = new DemoProducer(
                kafka, registry, SchemaCatalog.Load(ContentFolders.SchemasDirectory(null)), time,
                line => Console.Out.WriteLine($"[simulate] {line}"), progressEvery: TimeSpan.FromSeconds(5));
            try
            {
                // No broker answering is said now, not after a run of records handed to a client that can deliver none.
                using (var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, "c360-simulate-check")).SetLogHandler(KafkaClientLog.Discard).Build())
                {
                    admin.GetMetadata(TimeSpan.FromSeconds(10));
                }

                var produced = await producer.RunAsync(population, TimeSpan.FromSeconds(parse.GetValue(duration)), cancellationToken);
                await Console.Out.WriteLineAsync($"[simulate] produced {produced.Values.Sum()} records: " + string.Join(", ", produced.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is KafkaException or SchemaRegistryException or SerdeException)
            {
                await Console.Error.WriteLineAsync($"simulate failed: {KafkaFailure.Describe(ex, servers)}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }
}
