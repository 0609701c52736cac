using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>Reads a topic from its beginning to where it ended when reading started: for tools that take a snapshot.</summary>
public static class TopicReader
{
    /// <summary>Every record of every partition up to the high watermark at the start; returns how many were read.</summary>
    public static long ReadToEnd(
        IConsumer<byte[]?, byte[]?> consumer, string topic, IEnumerable<int> partitions, TimeSpan timeout, Action<ConsumeResult<byte[]?, byte[]?>> onRecord,
        CancellationToken cancellationToken) =>
        ReadToEnd(consumer, Watermarks(consumer, topic, partitions, timeout), onRecord, cancellationToken);

    /// <summary>
    /// Each partition's watermarks, asked for before any record is read: a caller that writes to the topic it reads (a
    /// dead-letter replay whose records fail again) must not meet its own records in a partition it has not reached yet.
    /// </summary>
    public static List<(TopicPartition Partition, WatermarkOffsets Watermarks)> Watermarks(IConsumer<byte[]?, byte[]?> consumer, string topic, IEnumerable<int> partitions, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(partitions);
        return [.. partitions.Select(p => new TopicPartition(topic, p)).Select(p => (p, consumer.QueryWatermarkOffsets(p, timeout)))];
    }

    /// <summary>Every record of each partition up to its high watermark in <paramref name="ends"/> (from <see cref="Watermarks"/>); returns how many were read.</summary>
    public static long ReadToEnd(
        IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<(TopicPartition Partition, WatermarkOffsets Watermarks)> ends, Action<ConsumeResult<byte[]?, byte[]?>> onRecord,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(ends);
        ArgumentNullException.ThrowIfNull(onRecord);
        long read = 0;
        foreach (var (partition, watermarks) in ends)
        {
            var end = watermarks.High.Value;
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            // Transaction markers take offsets too, so stop at the position, not at the last record read.
            while (end > 0 && consumer.Position(partition).Value < end && !cancellationToken.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } record)
                {
                    read++;
                    onRecord(record);
                }
            }
        }

        return read;
    }
}
