using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Notices keyed input that sits on another partition than murmur2 assigns its key, which is what a producer with
/// librdkafka's default partitioner (CRC32: kcat, confluent-kafka for Python, Go and .NET) writes. Such a record would
/// reach a task that does not own its key, and a join by key would silently miss. Partition counts are read once per
/// topic from the cluster through the consumer's own connection.
/// </summary>
internal sealed class KeyPlacement(ConsumerAdmin admin)
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);

    /// <summary>The partition the record's key belongs on when that is not where it is; null when it is in place or keyless.</summary>
    public (int Expected, int PartitionCount)? Misplaced(StreamRecord record)
    {
        if (record.KeyBytes is not { Length: > 0 } key)
        {
            return null;
        }

        var count = PartitionCount(record.Topic);
        if (count <= 0)
        {
            return null;
        }

        var expected = Murmur2.Partition(key, count);
        return expected == record.Partition ? null : (expected, count);
    }

    /// <summary>The topic's partition count, or 0 when the cluster did not say (then nothing is judged, and it is asked again).</summary>
    private int PartitionCount(string topic)
    {
        if (_partitionCounts.TryGetValue(topic, out var count))
        {
            return count;
        }

        try
        {
            count = admin.Client.GetMetadata(topic, MetadataTimeout).Topics.FirstOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions.Count ?? 0;
        }
        catch (KafkaException)
        {
            return 0;
        }

        if (count > 0)
        {
            _partitionCounts[topic] = count;
        }

        return count;
    }
}
