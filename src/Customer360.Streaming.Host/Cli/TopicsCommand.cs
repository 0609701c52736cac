using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 topics create</c>: creates the declared topics on a real cluster (the embedded broker creates its own).</summary>
internal static class TopicsCommand
{
    public static Command Create()
    {
        var bootstrap = CommonOptions.BootstrapServers();
        var replication = new Option<short>("--replication-factor")
        {
            Description = "Replication factor of new topics; -1 uses the broker's default.",
            DefaultValueFactory = _ => -1,
        };
        replication.Validators.Add(r =>
        {
            if (CommonOptions.Parsed<short>(r, out var value) && value is 0 or < -1)
            {
                r.AddError($"--replication-factor must be -1 (broker default) or at least 1 (was {value}).");
            }
        });
        var topologyDir = CommonOptions.TopologyDirectory();
        var create = new Command("create", "Create every topic of topics.yaml that does not exist yet (compacted ones with cleanup.policy=compact).")
        {
            bootstrap, replication, topologyDir,
        };
        create.SetAction(async (parse, cancellationToken) =>
        {
            if (!CommonOptions.TryBootstrapServers(parse.GetValue(bootstrap), out var servers))
            {
                return ExitCodes.InvalidConfiguration;
            }

            if (!CommonOptions.TryLoadCatalog(parse.GetValue(topologyDir), out var catalog) || !CommonOptions.TryKafkaOptions(servers, applicationId: null, out var kafka))
            {
                return ExitCodes.InvalidConfiguration;
            }

            try
            {
                return await CreateMissingAsync(kafka, catalog, parse.GetValue(replication));
            }
            catch (KafkaException ex)
            {
                // No broker answered the metadata request (a wrong address, or the cluster down), or the admin call failed.
                await Console.Error.WriteLineAsync($"topics create failed: {KafkaFailure.Describe(ex, servers)}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return new Command("topics", "Manage the declared topics on a Kafka cluster.") { create };
    }

    private static async Task<int> CreateMissingAsync(KafkaOptions kafka, TopicCatalog catalog, short replicationFactor)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, "c360-topics")).SetLogHandler(KafkaClientLog.Discard).Build();
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
        var missing = catalog.Topics.Where(t => !existing.ContainsKey(t.Name)).ToList();
        foreach (var present in catalog.Topics.Where(t => existing.ContainsKey(t.Name)))
        {
            Console.Out.WriteLine($"exists   {present.Name} ({existing[present.Name]} partitions)");
        }

        if (missing.Count > 0)
        {
            var specifications = missing.Select(t => new TopicSpecification
            {
                Name = t.Name,
                NumPartitions = t.Partitions,
                ReplicationFactor = replicationFactor,
                Configs = t.Compacted ? new Dictionary<string, string> { ["cleanup.policy"] = "compact" } : null,
            }).ToList();
            try
            {
                await admin.CreateTopicsAsync(specifications);
            }
            catch (CreateTopicsException ex)
            {
                foreach (var result in ex.Results.Where(r => r.Error.Code is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists)))
                {
                    await Console.Error.WriteLineAsync($"failed   {result.Topic}: {result.Error.Reason}");
                }

                if (ex.Results.Any(r => r.Error.Code is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists)))
                {
                    return ExitCodes.RuntimeFailure;
                }
            }

            foreach (var topic in missing)
            {
                Console.Out.WriteLine($"created  {topic.Name} ({topic.Partitions} partitions{(topic.Compacted ? ", compacted" : string.Empty)})");
            }
        }

        try
        {
            ClusterTopologyCheck.Verify(admin, catalog.Topics, TimeSpan.FromSeconds(30), kafka.BootstrapServers);
        }
        catch (TopologyException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ExitCodes.RuntimeFailure;
        }

        Console.Out.WriteLine($"ok: {catalog.Topics.Count} topics match topics.yaml");
        return ExitCodes.Success;
    }
}
