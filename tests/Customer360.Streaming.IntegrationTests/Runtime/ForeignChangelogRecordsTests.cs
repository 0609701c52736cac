using System.Buffers.Binary;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A changelog holds records another program wrote (a changelog is a topic like any other: kcat, a mistyped producer).
/// Found by hand: one such record made every restore of its task end in "Changelog entry has an unknown format" and the
/// processor stop for good, on every restart. Restore now passes such records over, says where they are, and counts them;
/// each key keeps the value it had before.
/// </summary>
public sealed class ForeignChangelogRecordsTests
{
    private const int ForeignRecords = 5;

    private readonly string _stateDirectory = TestScratch.Run.NewDirectory("c360-state-");

    [Theory]
    [InlineData(StateStoreKind.RocksDb)]
    [InlineData(StateStoreKind.InMemory)]
    public async Task Records_the_runtime_did_not_write_are_passed_over_on_restore_named_and_counted_and_each_key_keeps_its_value(StateStoreKind kind)
    {
        using var broker = new OwnCountingBroker(new UniqueNames($"{nameof(ForeignChangelogRecordsTests)}-{kind}"), 1);
        StreamsOptions Streams(string folder) => new()
        {
            ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce,
            StateStore = kind,
            StateDirectory = Path.Combine(_stateDirectory, folder),
        };
        broker.Produce(["a", "a", "b"]);
        await using (var first = new InProcessWorker(broker.Options, Streams("first"), broker.Topology))
        {
            Assert.True(await first.WaitUntilAsync(() => first.Worker.Status.CommittedOffsets.Values.Sum() >= 3, TimeSpan.FromSeconds(60)), "the first run did not commit its input");
        }

        var firstForeign = WriteForeignRecords(broker.Options, broker.Changelog);
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        var logger = new RecordingLogger<StreamWorker>();

        // A state folder of its own: every task restores its changelog from the beginning, through the foreign records.
        broker.Produce(["a", "b"]);
        await using (var second = new InProcessWorker(broker.Options, Streams("second"), broker.Topology, metrics, logger: logger))
        {
            Assert.True(
                await second.WaitUntilAsync(() => second.Worker.Status.CommittedOffsets.Values.Sum() >= 5, TimeSpan.FromSeconds(60)),
                $"the restarted run did not process its input; phase {second.Worker.Status.Phase}: {second.Worker.Status.Failure}");
        }

        Assert.Equal(new Dictionary<string, long> { ["a"] = 3, ["b"] = 2 }, broker.LatestCounts());
        Assert.Equal(ForeignRecords, counters.Total("c360.restore.records.skipped"));
        var warning = Assert.Single(logger.Recorded.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("passed over", StringComparison.Ordinal));
        Assert.Contains($"{broker.Changelog}[0]", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"{ForeignRecords} record(s)", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"first at offset {firstForeign}", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes <see cref="ForeignRecords"/> records no c360 wrote to partition 0 of the changelog; returns the first one's offset.</summary>
    private static long WriteForeignRecords(KafkaOptions options, string changelog)
    {
        var hostileCount = new byte[5];
        hostileCount[0] = 1;
        BinaryPrimitives.WriteInt32BigEndian(hostileCount.AsSpan(1), int.MaxValue);
        var cutShort = ChangelogRecords.ValueFor("7"u8.ToArray())[..3];
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "foreign-writer")).Build();
        var partition = new TopicPartition(changelog, 0);
        var first = producer.ProduceAsync(partition, new Message<byte[]?, byte[]?> { Key = "a"u8.ToArray(), Value = "not a store entry"u8.ToArray() }).GetAwaiter().GetResult().Offset.Value;
        foreach (var (key, value) in new (byte[]? Key, byte[] Value)[] { (null, "no key"u8.ToArray()), ("b"u8.ToArray(), []), ("a"u8.ToArray(), hostileCount), ("b"u8.ToArray(), cutShort) })
        {
            producer.ProduceAsync(partition, new Message<byte[]?, byte[]?> { Key = key, Value = value }).GetAwaiter().GetResult();
        }

        return first;
    }
}
