using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Kafka;

public sealed class KafkaRoundTripTests(KafkaFixture kafka)
{
    [Fact]
    public async Task ProducerToConsumerGroup_EveryRecordArrivesInKeyOrder_AndCommittedOffsetsReadBack()
    {
        var names = new UniqueNames(nameof(ProducerToConsumerGroup_EveryRecordArrivesInKeyOrder_AndCommittedOffsetsReadBack));
        var topic = names.Topic("events");
        await kafka.CreateTopicAsync(topic, partitions: 3);
        var options = kafka.Options(names.Group());
        const int records = 300;

        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "round-trip-producer")).Build())
        {
            for (var i = 0; i < records; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"key-{i % 10}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var received = new Dictionary<string, List<int>>();
        var partitionOfKey = new Dictionary<string, int>();
        using (var consumer = new ConsumerBuilder<string, string>(KafkaClientConfigs.Consumer(options, names.Group(), "round-trip-consumer")).Build())
        {
            consumer.Subscribe(topic);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var count = 0;
            while (count < records && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    continue;
                }

                count++;
                received.TryAdd(result.Message.Key, []);
                received[result.Message.Key].Add(int.Parse(result.Message.Value, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(partitionOfKey.GetValueOrDefault(result.Message.Key, result.Partition.Value), result.Partition.Value);
                partitionOfKey[result.Message.Key] = result.Partition.Value;
                consumer.StoreOffset(result);
            }

            Assert.Equal(records, count);
            consumer.Commit();
            consumer.Close();
        }

        foreach (var (_, values) in received)
        {
            Assert.Equal(values.Order(), values);
        }

        var lag = ConsumerGroupLag.Read(options, names.Group(), [topic], TimeSpan.FromSeconds(10));
        Assert.Equal(3, lag.Count);
        Assert.All(lag, p => Assert.Equal(p.HighWatermark, p.Committed));
        Assert.Equal(records, lag.Sum(p => p.Committed));
    }
}
