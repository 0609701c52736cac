using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What the check asks of the consumer.</summary>
internal interface ILogStarts
{
    /// <summary>The partition's first offset as the consumer last heard it from the broker (fetch responses carry it); null when unknown.</summary>
    long? LogStart(TopicPartition partition);

    /// <summary>The group's committed offsets of <paramref name="partitions"/> (a round trip to the broker); throws <see cref="KafkaException"/> when it fails.</summary>
    IReadOnlyList<TopicPartitionOffset> Committed(IReadOnlyList<TopicPartition> partitions);
}

/// <summary>
/// Finds the source records a broker deleted before this thread fetched them. A topic's retention (or the embedded
/// broker's ~5 MiB per partition) shorter than how far the processor fell behind, or than how long it was down, deletes
/// them; the consumer then goes on from the log's new start (the runtime's reset policy is earliest) and logs a line of
/// its own at most. Those records are lost to every stage after the source, and a committed offset past them hides it.
/// The check costs a comparison per fetched record: only a jump in offsets asks what the consumer knows of the log's
/// start, and only a first record found at the log's start (after an assignment or a rewind to the committed offsets)
/// asks the broker what the group had committed, once per fetch round for all such partitions.
/// </summary>
/// <param name="deleted">Told of each deletion found: the partition and its deleted offsets, from inclusive, to exclusive.</param>
internal sealed class DeletedUnreadCheck(ILogStarts consumer, ILogger logger, string clientId, Action<TopicPartition, long, long> deleted)
{
    /// <summary>
    /// Partitions whose first fetched offset was the log's start, with that offset, until the round's end asks what was
    /// committed. Keyed by partition: a rebalance inside the round can revoke and assign one again, a second first record.
    /// </summary>
    private readonly Dictionary<TopicPartition, long> _startsUnknown = [];

    /// <summary>
    /// The consumer handed out a record at <paramref name="offset"/> (then <paramref name="next"/> is the offset after
    /// it) or said the partition ends at <paramref name="offset"/> (then <paramref name="next"/> is the same).
    /// </summary>
    public void Fetched(PartitionSlot slot, long offset, long next)
    {
        if (slot.NextFetchOffset != offset)
        {
            Check(slot, offset);
        }

        slot.NextFetchOffset = next;
    }

    /// <summary>At the end of a fetch round: partitions that started at the log's start learn whether the group had committed below it.</summary>
    public void ResolveStarts()
    {
        if (_startsUnknown.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var committed in consumer.Committed([.. _startsUnknown.Keys]))
            {
                if (!committed.Offset.IsSpecial && _startsUnknown.TryGetValue(committed.TopicPartition, out var first) && committed.Offset.Value < first)
                {
                    Report(committed.TopicPartition, committed.Offset.Value, first);
                }
            }
        }
        catch (KafkaException ex)
        {
            Log.DeletedUnreadUnknown(logger, clientId, _startsUnknown.Count, ex.Error.Reason);
        }
        finally
        {
            _startsUnknown.Clear();
        }
    }

    private void Check(PartitionSlot slot, long offset)
    {
        if (slot.NextFetchOffset is { } expected)
        {
            // Below the expected offset is a rewind the thread made; above it, a gap: deleted only where the log now starts.
            if (offset > expected && consumer.LogStart(slot.Partition) is { } start && start > expected)
            {
                Report(slot.Partition, expected, Math.Min(start, offset));
            }
        }
        else if (offset > 0 && consumer.LogStart(slot.Partition) is { } start && start >= offset)
        {
            _startsUnknown[slot.Partition] = offset;
        }
    }

    private void Report(TopicPartition partition, long from, long to)
    {
        Log.DeletedUnread(logger, clientId, partition.Topic, partition.Partition.Value, to - from, from, to - 1);
        deleted(partition, from, to);
    }
}
