using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>Makes the embedded broker delete the oldest records of a changelog, as its size limit does under load.</summary>
internal static class BrokerRetention
{
    /// <summary>
    /// Produces past the embedded broker's per-partition limit (about 5 MiB) to each of <paramref name="partitions"/>, so
    /// it drops their oldest records. The records carry runtime keys (NUL first), which processors, restore and the
    /// rebuild skip, as changelog values a restore can read.
    /// </summary>
    public static void FillPastLimit(KafkaOptions options, string topic, IEnumerable<int> partitions)
    {
        var filler = ChangelogRecords.ValueFor(new byte[100_000]);
        using var producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(options, "fill-past-retention")).Build();
        foreach (var partition in partitions)
        {
            for (var i = 0; i < 90; i++)
            {
                producer.Produce(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"\0filler-{i}"), Value = filler });
            }
        }

        producer.Flush(TimeSpan.FromSeconds(60));
    }

    /// <summary>Where a partition now starts (its low watermark, past what the broker deleted) and ends.</summary>
    public static WatermarkOffsets Watermarks(KafkaOptions options, string topic, int partition = 0)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options, "watermarks", "watermarks")).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10));
    }
}
