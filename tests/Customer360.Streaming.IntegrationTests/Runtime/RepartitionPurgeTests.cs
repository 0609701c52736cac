using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// The repartition purge against a broker: records re-keyed through a repartition topic and counted are deleted from
/// it below the group's committed offsets, and every count stays right; a broker that refuses DeleteRecords (the
/// embedded one, asked by an admin client) gets one warning and the processor carries on. What the purge deleted is
/// never taken for input deleted before it was read.
/// </summary>
public sealed class RepartitionPurgeTests(KafkaFixture kafka)
{
    private const int Partitions = 3;
    private const int Keys = 30;
    private const int PerKey = 10;

    [Fact]
    public async Task Committed_records_of_the_repartition_topic_are_deleted_and_every_count_stays_right()
    {
        var names = new UniqueNames(nameof(Committed_records_of_the_repartition_topic_are_deleted_and_every_count_stays_right));
        var run = await CreateAsync(names);
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        // On the embedded broker through its own API (it refuses the admin request); on a real one, DeleteRecords.
        Func<IRecordDeleter>? deleter = kafka.Embedded is { } embedded ? () => new EmbeddedRecordDeleter(embedded) : null;

        await using (var worker = new InProcessWorker(run.Options, Streams(purgeIntervalMs: 100), run.Topology, metrics, recordDeleter: deleter))
        {
            await ProduceAsync(run);
            Assert.True(await worker.WaitUntilAsync(() => FinalCounts(run).Values.Sum() == Keys * PerKey, TimeSpan.FromSeconds(60)), "every record counted");
            Assert.True(
                await worker.WaitUntilAsync(
                    () => Positions(run) is var positions && positions.Sum(p => p.Committed ?? 0) == Keys * PerKey && positions.All(p => p.LowWatermark == (p.Committed ?? 0)),
                    TimeSpan.FromSeconds(30)),
                $"the repartition topic starts at the committed offsets (partition: start/committed): {Describe(Positions(run))}");
        }

        Assert.All(FinalCounts(run).Values, count => Assert.Equal(PerKey, count));
        Assert.True(counters.Total("c360.repartition.purges") > 0);

        // A restart finds the repartition topic starting at its committed offsets: purged, not lost.
        await using (var restarted = new InProcessWorker(run.Options, Streams(purgeIntervalMs: 100), run.Topology, metrics, recordDeleter: deleter))
        {
            await ProduceAsync(run);
            Assert.True(await restarted.WaitUntilAsync(() => FinalCounts(run).Values.Sum() == 2 * Keys * PerKey, TimeSpan.FromSeconds(60)), "every record of the second round counted");
            Assert.Equal(0, restarted.Worker.Status.DeletedUnread);
        }

        Assert.Equal(0, counters.Total("c360.records.deleted_unread"));
    }

    [Fact]
    public async Task A_broker_that_refuses_DeleteRecords_gets_one_warning_and_the_processor_counts_everything()
    {
        if (kafka.Embedded is null)
        {
            Assert.Skip($"A real broker accepts DeleteRecords; the refusal is the embedded broker's ({kafka.Description}).");
        }

        var names = new UniqueNames(nameof(A_broker_that_refuses_DeleteRecords_gets_one_warning_and_the_processor_counts_everything));
        var run = await CreateAsync(names);
        var logger = new RecordingLogger<StreamWorker>();

        await using (var worker = new InProcessWorker(run.Options, Streams(purgeIntervalMs: 100), run.Topology, logger: logger))
        {
            await ProduceAsync(run);
            Assert.True(await worker.WaitUntilAsync(() => FinalCounts(run).Values.Sum() == Keys * PerKey, TimeSpan.FromSeconds(60)), "every record counted");
            Assert.True(
                await worker.WaitUntilAsync(() => logger.Recorded.Entries.Any(e => e.Message.Contains("stops purging", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)),
                "the refusal is logged");
        }

        Assert.All(FinalCounts(run).Values, count => Assert.Equal(PerKey, count));
        Assert.Single(logger.Recorded.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("purg", StringComparison.Ordinal));
        Assert.All(Positions(run), position => Assert.Equal(0, position.LowWatermark));
    }

    private static StreamsOptions Streams(int purgeIntervalMs) => new()
    {
        ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce,
        StateStore = StateStoreKind.InMemory,
        RepartitionPurgeIntervalMs = purgeIntervalMs,
    };

    private async Task<PurgeRun> CreateAsync(UniqueNames names)
    {
        var options = kafka.Options(names.Group("app"));
        var run = new PurgeRun(options, names.Topic("in"), names.Topic("out"), RekeyThenCount.Topology(options.ApplicationId, names.Topic("in"), names.Topic("out")));
        await kafka.CreateTopicAsync(run.Input, Partitions);
        await kafka.CreateTopicAsync(run.Output, 1);
        await kafka.CreateTopicAsync(run.Topology.DeadLetterTopic, 1);
        await kafka.CreateTopicAsync(run.Repartition, Partitions);
        await kafka.CreateTopicAsync(run.Topology.ChangelogTopic(CountingProcessor.Store), Partitions);
        return run;
    }

    /// <summary>Ten records per key, keyed by a device and carrying the key they are counted under.</summary>
    private static async Task ProduceAsync(PurgeRun run)
    {
        using var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(run.Options, "purge-producer")).Build();
        for (var round = 0; round < PerKey; round++)
        {
            for (var key = 0; key < Keys; key++)
            {
                var counted = string.Create(CultureInfo.InvariantCulture, $"customer-{key}");
                producer.Produce(run.Input, new Message<string, byte[]> { Key = $"device-{round}-{key}", Value = Encoding.UTF8.GetBytes(counted) });
            }
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Each key's last count on the output topic.</summary>
    private static Dictionary<string, long> FinalCounts(PurgeRun run) =>
        KafkaTopicReader.ReadAll(run.Options, run.Output)
            .GroupBy(r => Encoding.UTF8.GetString(r.Message.Key!))
            .ToDictionary(g => g.Key, g => CountingProcessor.Decode(g.Last().Message.Value), StringComparer.Ordinal);

    /// <summary>Each repartition partition's start (its low watermark) and the application's committed offset, in one look.</summary>
    private static IReadOnlyList<PartitionLag> Positions(PurgeRun run) =>
        ConsumerGroupLag.Read(run.Options, run.Options.ApplicationId, [run.Repartition], TimeSpan.FromSeconds(10));

    private static string Describe(IReadOnlyList<PartitionLag> positions) =>
        string.Join(", ", positions.Select(p => $"{p.Partition.Partition.Value}: {p.LowWatermark}/{p.Committed?.ToString(CultureInfo.InvariantCulture) ?? "none"}"));

    private sealed record PurgeRun(KafkaOptions Options, string Input, string Output, StreamTopology Topology)
    {
        public string Repartition => Topology.RepartitionTopics[0];
    }
}
