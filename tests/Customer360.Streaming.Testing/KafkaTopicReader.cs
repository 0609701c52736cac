using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Testing;

/// <summary>Reads every record of a topic from the beginning to its current end, partition by partition.</summary>
public static class KafkaTopicReader
{
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(KafkaOptions options, string topic)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, options.ApplicationId + "-reader", "reader")).Build();
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options, "reader-admin")).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count;
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        for (var partition = 0; partition < partitions; partition++)
        {
            var tp = new TopicPartition(topic, partition);
            var high = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value;
            if (high == 0)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(tp, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
                {
                    records.Add(result);
                    if (result.Offset.Value >= high - 1)
                    {
                        break;
                    }
                }
                else if (consumer.Position(tp).Value >= high)
                {
                    // Transaction markers take offsets but are never delivered: the position passed them.
                    break;
                }
                else if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"reading {tp} stalled at position {consumer.Position(tp)} of {high}");
                }
            }
        }

        return records;
    }
}
