using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>One partition's position for a consumer group, as the brokers see it.</summary>
/// <param name="Committed">Next offset the group will read, or null when the group never committed here.</param>
/// <param name="HighWatermark">Offset the next produced record will get.</param>
public sealed record PartitionLag(TopicPartition Partition, long? Committed, long LowWatermark, long HighWatermark)
{
    /// <summary>Records produced but not yet committed by the group (from the log start when it never committed).</summary>
    public long Lag => HighWatermark - (Committed ?? LowWatermark);
}

/// <summary>
/// Reads a group's committed offsets and the partitions' watermarks without joining the group, so it works against
/// any cluster while the group is running (OffsetFetch and ListOffsets only).
/// </summary>
public static class ConsumerGroupLag
{
    public static IReadOnlyList<PartitionLag> Read(KafkaOptions options, string groupId, IEnumerable<string> topics, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = KafkaClientConfigs.Consumer(options, groupId, $"{groupId}-lag-reader");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler(KafkaClientLog.Discard).Build();
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options, $"{groupId}-lag-metadata")).SetLogHandler(KafkaClientLog.Discard).Build();
        return Read(consumer, admin, topics, timeout);
    }

    /// <summary>The same with clients the caller keeps: <paramref name="consumerOfGroup"/> must carry the group's id and never subscribe.</summary>
    /// <param name="committedOffsets">
    /// The committed offsets to count from instead of the group's (a broker that keeps no offsets committed in a
    /// transaction, as the embedded one, has none under exactly_once_v2: the processor's own say what it committed).
    /// </param>
    public static IReadOnlyList<PartitionLag> Read<TKey, TValue>(
        IConsumer<TKey, TValue> consumerOfGroup, IAdminClient admin, IEnumerable<string> topics, TimeSpan timeout, IReadOnlyDictionary<TopicPartition, long>? committedOffsets = null)
    {
        ArgumentNullException.ThrowIfNull(consumerOfGroup);
        ArgumentNullException.ThrowIfNull(admin);
        var metadata = admin.GetMetadata(timeout);
        var wanted = new HashSet<string>(topics, StringComparer.Ordinal);
        var partitions = metadata.Topics
            .Where(t => wanted.Contains(t.Topic))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)
            .ToList();
        if (partitions.Count == 0)
        {
            return [];
        }

        var committed = committedOffsets is null
            ? consumerOfGroup.Committed(partitions, timeout).ToDictionary(o => o.TopicPartition, o => o.Offset)
            : committedOffsets.ToDictionary(o => o.Key, o => new Offset(o.Value));
        var result = new List<PartitionLag>(partitions.Count);
        foreach (var partition in partitions)
        {
            var watermarks = consumerOfGroup.QueryWatermarkOffsets(partition, timeout);
            var offset = committed.GetValueOrDefault(partition, Offset.Unset);
            result.Add(new PartitionLag(
                partition,
                offset.IsSpecial ? null : offset.Value,
                watermarks.Low.IsSpecial ? 0 : watermarks.Low.Value,
                watermarks.High.IsSpecial ? 0 : watermarks.High.Value));
        }

        return result;
    }
}
