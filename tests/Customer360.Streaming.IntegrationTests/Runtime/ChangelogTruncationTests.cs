using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A changelog whose oldest records the broker deleted (issue 20: on the embedded broker, which keeps about 5 MiB per
/// partition, 117 of 1,000 contexts were silently lost on restart). Restore says so and stops unless told to go on,
/// and the rebuild does not delete what a truncated changelog may have held. Each test truncates a partition of an
/// embedded cluster of its own by producing past that limit.
/// </summary>
public sealed class ChangelogTruncationTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Restore_from_a_truncated_changelog_stops_the_worker_naming_store_partition_and_offsets_and_counts_it()
    {
        var (cluster, options, topology, changelog) = CountingOnItsOwnCluster(
            new UniqueNames(nameof(Restore_from_a_truncated_changelog_stops_the_worker_naming_store_partition_and_offsets_and_counts_it)));
        using var owned = cluster;

        var start = Truncate(options, changelog);
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);

        await using var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topology, metrics);
        var failed = await worker.WaitUntilAsync(() => worker.Worker.Status.Phase == WorkerPhase.Failed, TimeSpan.FromSeconds(60));

        Assert.True(failed, $"the worker did not stop; phase {worker.Worker.Status.Phase}");
        var reason = worker.Worker.Status.Failure ?? string.Empty;
        Assert.Contains($"Store '{CountingProcessor.Store}'", reason, StringComparison.Ordinal);
        Assert.Contains($"{changelog}[0] starts at offset {start}", reason, StringComparison.Ordinal);
        Assert.Contains("Streams:OnChangelogTruncated=RestoreRemaining", reason, StringComparison.Ordinal);
        Assert.Equal(1, counters.Total("c360.changelog.truncated"));
    }

    [Fact]
    public async Task With_RestoreRemaining_the_worker_restores_what_is_left_counts_the_truncation_and_runs()
    {
        var (cluster, options, topology, changelog) = CountingOnItsOwnCluster(
            new UniqueNames(nameof(With_RestoreRemaining_the_worker_restores_what_is_left_counts_the_truncation_and_runs)));
        using var owned = cluster;

        Truncate(options, changelog);
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, OnChangelogTruncated = ChangelogTruncationPolicy.RestoreRemaining };

        await using var worker = new InProcessWorker(options, streams, topology, metrics);
        var ready = await worker.WaitUntilAsync(() => worker.Worker.Status.IsReady, TimeSpan.FromSeconds(60));

        Assert.True(ready, $"the worker is not ready; phase {worker.Worker.Status.Phase}: {worker.Worker.Status.Failure}");
        Assert.Equal(1, counters.Total("c360.changelog.truncated"));
    }

    [Fact]
    public async Task Rebuild_keeps_contexts_only_in_redis_when_a_changelog_was_truncated_unless_forced()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(Rebuild_keeps_contexts_only_in_redis_when_a_changelog_was_truncated_unless_forced));
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = names.Group("app"), FetchWaitMaxMs = 10 };
        foreach (var store in ProductTopics.ContextStores)
        {
            cluster.CreateTopic($"{options.ApplicationId}-{store}-changelog", 1);
        }

        var start = Truncate(options, $"{options.ApplicationId}-{ProductTopics.ContextsStore}-changelog");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(names.Group("rebuild"));
        await new RedisContextWriter(connection, keys).WriteAsync([RedisContextSink.Document(CustomerContext.Empty("c-only-in-redis") with { Version = 3 }, TimeSpan.FromHours(1))]);
        var lines = new List<string>();

        var kept = await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: false, lines.Add, TestContext.Current.CancellationToken);

        Assert.Equal(new RebuildReport(0, 0, 0, 0, 1, TruncatedPartitions: 1, ExtraKept: true), kept);
        Assert.True(await connection.GetDatabase().KeyExistsAsync(keys.Context("c-only-in-redis")));
        Assert.Contains(lines, l => l.Contains($"starts at offset {start}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("--force", StringComparison.Ordinal));

        var forced = await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: false, null, TestContext.Current.CancellationToken, force: true);

        Assert.Equal(new RebuildReport(0, 0, 0, 0, 1, TruncatedPartitions: 1), forced);
        Assert.False(await connection.GetDatabase().KeyExistsAsync(keys.Context("c-only-in-redis")));
    }

    /// <summary>The counting topology with one-partition topics on an embedded cluster of the test's own.</summary>
    private static (EmbeddedKafkaCluster Cluster, KafkaOptions Options, StreamTopology Topology, string Changelog) CountingOnItsOwnCluster(UniqueNames names)
    {
        var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = names.Group("app"), FetchWaitMaxMs = 10 };
        var topology = CountingProcessor.Topology(options.ApplicationId, names.Topic("in"), names.Topic("out"), names.Topic("dlq"));
        var changelog = topology.ChangelogTopic(CountingProcessor.Store);
        foreach (var topic in new[] { names.Topic("in"), names.Topic("out"), changelog, names.Topic("dlq") })
        {
            cluster.CreateTopic(topic, 1);
        }

        return (cluster, options, topology, changelog);
    }

    /// <summary>Produces past the embedded broker's per-partition limit to partition 0; returns the partition's new start offset.</summary>
    private static long Truncate(KafkaOptions options, string topic)
    {
        BrokerRetention.FillPastLimit(options, topic, [0]);
        var start = BrokerRetention.Watermarks(options, topic).Low.Value;
        Assert.True(start > 0, $"{topic}[0] still starts at 0: the broker kept all 9 MB");
        return start;
    }
}
