using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 demo</c>: the whole stack on embedded infrastructure in one process (embedded Kafka, the processor host,
/// Redis given by address), events flowing for <c>--duration</c> seconds, then a summary read back from the brokers.
/// </summary>
internal static class DemoCommand
{
    private const string DemoTopic = "c360.clickstream.v1";
    private const string DemoApplicationId = "c360-demo";

    public static Command Create()
    {
        var duration = new Option<int>("--duration")
        {
            Description = "Seconds of event flow before the summary.",
            DefaultValueFactory = _ => 20,
        };
        duration.Validators.Add(r => RequireRange(r, "--duration", 1, 3600));
        var rate = new Option<int>("--rate")
        {
            Description = "Events per second the demo producer writes.",
            DefaultValueFactory = _ => 50,
        };
        rate.Validators.Add(r => RequireRange(r, "--rate", 1, 10_000));
        var redis = new Option<string?>("--redis")
        {
            Description = "Redis connection string (default: C360__Redis__ConnectionString). ./scripts/demo.sh starts one.",
        };
        var brokers = CommonOptions.Brokers();
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("demo", "Run the embedded stack end to end and print what happened.")
        {
            duration, rate, redis, brokers, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var redisConnection = parse.GetValue(redis) ?? Environment.GetEnvironmentVariable("C360__Redis__ConnectionString");
            if (string.IsNullOrWhiteSpace(redisConnection))
            {
                await Console.Error.WriteLineAsync("--redis is required (or C360__Redis__ConnectionString); ./scripts/demo.sh starts a redis-server for you.");
                return ExitCodes.InvalidConfiguration;
            }

            var topology = parse.GetValue(topologyDir);
            if (!CommonOptions.TryLoadCatalog(topology, out var catalog))
            {
                return ExitCodes.InvalidConfiguration;
            }

            var settings = new DemoSettings(parse.GetValue(duration), parse.GetValue(rate), redisConnection, parse.GetValue(brokers), topology);
            return await RunAsync(settings, catalog, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(DemoSettings settings, TopicCatalog catalog, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var cluster = EmbeddedKafkaCluster.Start(settings.Brokers, catalog.Topics);
        Say($"embedded Kafka: {cluster.BrokerCount} brokers at {cluster.BootstrapServers}, {catalog.Topics.Count} topics");

        var overrides = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:ApplicationId"] = DemoApplicationId,
            // The mock broker holds every fetch for the full wait: keep it short or latency is ~250 ms.
            ["Kafka:FetchWaitMaxMs"] = "10",
            // The embedded broker cannot enforce transactions; idempotence still makes state exact.
            ["Streams:ProcessingGuarantee"] = "AtLeastOnce",
            ["Redis:ConnectionString"] = settings.Redis,
            ["Http:Port"] = "0",
            ["Topology:Directory"] = settings.TopologyDirectory,
        };
        var app = ProcessorHost.Build(overrides);
        var host = RunCommand.RunAsync(app, cancellationToken);
        var processor = app.Services.GetRequiredService<StreamProcessorService>();
        if (!await WaitUntilAsync(() => processor.Worker?.Status.IsReady == true, TimeSpan.FromSeconds(30), cancellationToken))
        {
            Say("processor did not become ready within 30 s");
            await app.StopAsync(CancellationToken.None);
            return await host is ExitCodes.Success ? ExitCodes.RuntimeFailure : await host;
        }

        var status = processor.Worker!.Status;
        Say($"processor ready in {clock.Elapsed.TotalSeconds:0.0} s: group {DemoApplicationId}, {status.AssignedPartitions.Count} partitions assigned");

        var kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers };
        var produced = await ProduceAsync(kafka, settings, status.RecordsConsumed, cancellationToken);
        var caughtUp = await WaitUntilAsync(
            () => CommittedTotal(kafka) >= produced, TimeSpan.FromSeconds(15), cancellationToken);
        var lag = ConsumerGroupLag.Read(kafka, DemoApplicationId, [DemoTopic], TimeSpan.FromSeconds(5));

        await app.StopAsync(CancellationToken.None);
        var exitCode = await host;

        Say("summary");
        Say($"  events produced to {DemoTopic}:  {produced}");
        Say($"  events consumed by the processor:    {status.RecordsConsumed}");
        Say($"  offsets committed by group {DemoApplicationId}: {lag.Sum(p => p.Committed ?? 0)} over {lag.Count(p => p.Committed is not null)} partitions (lag {lag.Sum(p => p.Lag)})");
        Say($"  commits: {status.Commits}, elapsed {clock.Elapsed.TotalSeconds:0.0} s, processor exit code {exitCode}");
        var passed = caughtUp && status.RecordsConsumed >= produced && exitCode == ExitCodes.Success;
        Say(passed ? "  result: OK - every event was consumed and its offset committed" : "  result: FAILED - the processor did not catch up");
        return passed ? ExitCodes.Success : ExitCodes.RuntimeFailure;

        long CommittedTotal(KafkaOptions options) =>
            ConsumerGroupLag.Read(options, DemoApplicationId, [DemoTopic], TimeSpan.FromSeconds(5)).Sum(p => p.Committed ?? 0);
    }

    private static async Task<long> ProduceAsync(KafkaOptions kafka, DemoSettings settings, long consumedBefore, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(kafka, "c360-demo-producer")).Build();
        var interval = TimeSpan.FromSeconds(1.0 / settings.Rate);
        var ends = Stopwatch.StartNew();
        long produced = 0;
        var nextReport = TimeSpan.FromSeconds(1);
        while (ends.Elapsed < TimeSpan.FromSeconds(settings.DurationSeconds) && !cancellationToken.IsCancellationRequested)
        {
            var due = (long)(ends.Elapsed / interval) + 1;
            for (; produced < due; produced++)
            {
                var key = $"web:anon-{produced % 97:D5}";
                var value = Encoding.UTF8.GetBytes($"{{\"eventId\":\"demo-{produced}\",\"type\":\"page_view\"}}");
                producer.Produce(DemoTopic, new Message<string, byte[]> { Key = key, Value = value });
            }

            if (ends.Elapsed >= nextReport)
            {
                Say($"t={ends.Elapsed.TotalSeconds,5:0.0}s produced {produced}");
                nextReport += TimeSpan.FromSeconds(5);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        Say($"produced {produced} events in {ends.Elapsed.TotalSeconds:0.0} s (consumed before start: {consumedBefore})");
        return produced;
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > timeout || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return true;
    }

    private static void RequireRange(System.CommandLine.Parsing.OptionResult result, string name, int min, int max)
    {
        var value = result.GetValueOrDefault<int>();
        if (value < min || value > max)
        {
            result.AddError($"{name} must be between {min} and {max} (was {value}).");
        }
    }

    private static void Say(string line) => Console.Out.WriteLine($"[demo] {line}");

    private sealed record DemoSettings(int DurationSeconds, int Rate, string Redis, int Brokers, string? TopologyDirectory);
}
