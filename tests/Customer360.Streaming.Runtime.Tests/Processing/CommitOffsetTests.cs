using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// Which offset a commit names for a partition: past a transaction's commit marker, which the consumer never hands
/// out (KAFKA-6607), and never past a record that was not processed.
/// </summary>
public sealed class CommitOffsetTests
{
    private static readonly TopicPartition Repartition = new("app-repartition", 0);

    private static readonly StreamTopology Topology = new StreamTopologyBuilder("app")
        .AddSubTopology("context", [Repartition.Topic], () => new CountingProcessor("out"))
        .Build();

    private readonly RecordingConsumer _consumer = new();

    [Fact]
    public void Nothing_left_buffered_commits_the_consumers_position_past_the_marker()
    {
        // Records 0-19 processed, the marker at 20: the consumer's position is 21.
        var group = Group();
        _consumer.Positions[Repartition] = 21;

        Assert.Equal(21, group.CommitOffset(Repartition, next: 20));
    }

    [Fact]
    public void A_buffered_record_after_the_marker_is_the_offset_committed()
    {
        // Records 0-19 processed, the marker at 20, record 21 fetched and waiting; the consumer is further on.
        var group = Group();
        group.Add(Record(21));
        group.Add(Record(22));
        _consumer.Positions[Repartition] = 23;

        Assert.Equal(21, group.CommitOffset(Repartition, next: 20));
    }

    [Fact]
    public void A_partition_rewound_for_a_retry_commits_no_further_than_the_record_to_retry()
    {
        // Record 7 failed on a dependency: the partition is rewound to it, though the consumer had fetched up to 12 and
        // may still say so.
        var group = Group();
        foreach (var offset in new[] { 8L, 9L, 10L, 11L })
        {
            group.Add(Record(offset));
        }

        _consumer.Positions[Repartition] = 12;
        group.PauseForRetry(new TopicPartitionOffset(Repartition, 7), nowMs: 0);

        Assert.Equal(7, group.CommitOffset(Repartition, next: 7));
    }

    [Fact]
    public void An_unknown_or_older_position_commits_the_offset_after_the_last_record_processed()
    {
        var group = Group();
        Assert.Equal(20, group.CommitOffset(Repartition, next: 20));

        _consumer.Positions[Repartition] = 15;
        Assert.Equal(20, group.CommitOffset(Repartition, next: 20));
    }

    private PartitionGroup Group() => new(_consumer, Topology, new StreamsOptions(), TimeProvider.System, maxBufferedPerPartition: 100);

    private static ConsumeResult<byte[]?, byte[]?> Record(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Repartition, offset),
        Message = new Message<byte[]?, byte[]?> { Timestamp = new Timestamp(1_000 + offset, TimestampType.CreateTime) },
    };
}
