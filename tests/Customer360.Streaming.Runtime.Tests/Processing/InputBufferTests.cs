using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

public sealed class InputBufferTests
{
    private static readonly TopicPartition Beacons = new("beacon", 0);
    private static readonly TopicPartition Fixes = new("location", 0);
    private static readonly TopicPartition Clicks = new("clickstream", 0);

    [Fact]
    public void A_task_takes_its_records_in_timestamp_order_across_partitions_whatever_the_fetch_order()
    {
        var buffer = new InputBuffer(pauseAbove: 100);
        foreach (var (partition, timestamp) in new[] { (Beacons, 180L), (Beacons, 190L), (Fixes, 60L), (Clicks, 1L), (Fixes, 120L), (Clicks, 2L) })
        {
            buffer.Add(Record(partition, timestamp));
        }

        var order = new List<(string, long)>();
        while (Next(buffer, [Clicks, Fixes, Beacons], _ => false, enforce: false) is { } next)
        {
            order.Add((next.Topic, next.Message.Timestamp.UnixTimestampMs));
        }

        Assert.Equal([("clickstream", 1L), ("clickstream", 2L), ("location", 60L), ("location", 120L), ("beacon", 180L), ("beacon", 190L)], order);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void A_partitions_head_follows_every_take_drop_and_new_record()
    {
        var buffer = new InputBuffer(pauseAbove: 100);
        buffer.Add(Record(Clicks, 5));
        buffer.Add(Record(Clicks, 100));
        buffer.Add(Record(Fixes, 50));
        buffer.Add(Record(Beacons, 10));
        buffer.Drop(buffer.Slot(Beacons));
        buffer.Add(Record(Beacons, 90));

        var order = new List<long> { Next(buffer, [Clicks, Fixes, Beacons], _ => false, enforce: false)!.Message.Timestamp.UnixTimestampMs };
        // The clicks partition's head is now 100, behind the fix at 50 and the sighting at 90.
        order.Add(Next(buffer, [Clicks, Fixes, Beacons], _ => false, enforce: false)!.Message.Timestamp.UnixTimestampMs);
        buffer.Add(Record(Fixes, 95));
        while (Next(buffer, [Clicks, Fixes, Beacons], _ => false, enforce: false) is { } next)
        {
            order.Add(next.Message.Timestamp.UnixTimestampMs);
        }

        Assert.Equal([5L, 50L, 90L, 95L, 100L], order);
    }

    [Fact]
    public void A_task_waits_for_an_empty_partition_that_may_hold_older_records_until_told_to_go_ahead()
    {
        var buffer = new InputBuffer(pauseAbove: 100);
        buffer.Add(Record(Beacons, 180));

        Assert.Null(Next(buffer, [Fixes, Beacons], p => p.Partition == Fixes, enforce: false));
        Assert.Equal(180, Next(buffer, [Fixes, Beacons], p => p.Partition == Fixes, enforce: true)!.Message.Timestamp.UnixTimestampMs);

        buffer.Add(Record(Beacons, 190));
        // Caught up on the fixes (end of partition seen): nothing to wait for.
        Assert.NotNull(Next(buffer, [Fixes, Beacons], _ => false, enforce: false));
    }

    [Fact]
    public void Dropping_a_partition_forgets_its_records_and_a_full_partition_says_so()
    {
        var buffer = new InputBuffer(pauseAbove: 2);
        buffer.Add(Record(Beacons, 1));
        Assert.False(buffer.Full(buffer.Slot(Beacons)));
        buffer.Add(Record(Beacons, 2));
        buffer.Add(Record(Fixes, 3));

        Assert.True(buffer.Full(buffer.Slot(Beacons)));
        buffer.Drop(buffer.Slot(Beacons));

        Assert.Equal(1, buffer.Count);
        Assert.Equal(3, Next(buffer, [Beacons, Fixes], _ => false, enforce: false)!.Message.Timestamp.UnixTimestampMs);
    }

    private static ConsumeResult<byte[]?, byte[]?> Record(TopicPartition partition, long timestampMs) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(partition, timestampMs),
        Message = new Message<byte[]?, byte[]?> { Timestamp = new Timestamp(timestampMs, TimestampType.CreateTime) },
    };

    /// <summary>The record a task over <paramref name="partitions"/> takes next, as the partition group takes it.</summary>
    private static ConsumeResult<byte[]?, byte[]?>? Next(InputBuffer buffer, IReadOnlyList<TopicPartition> partitions, Func<PartitionSlot, bool> mayHaveMore, bool enforce) =>
        InputBuffer.Head([.. partitions.Select(buffer.Slot)], mayHaveMore, enforce) is { } head ? buffer.Take(head) : null;
}
