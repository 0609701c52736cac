using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Kafka;

/// <summary>
/// The snapshot tools (context rebuild, dead-letter replay, the demo's report) read a topic to where it ended when they
/// began. A replay writes to the topic it reads: a record it dead-letters again must not come round a second time.
/// </summary>
public sealed class TopicReaderTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Records_written_to_a_later_partition_while_an_earlier_one_is_read_are_not_part_of_the_snapshot()
    {
        var names = new UniqueNames(nameof(TopicReaderTests));
        var topic = names.Topic("snapshot");
        await kafka.CreateTopicAsync(topic, partitions: 2);
        var options = kafka.Options(names.Group());
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "snapshot-writer")).SetLogHandler(KafkaClientLog.Discard).Build();
        void Write(int partition, string value) =>
            producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?> { Value = System.Text.Encoding.UTF8.GetBytes(value) });
        Write(0, "before-0");
        Write(1, "before-1");
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));

        var seen = new List<string>();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, names.Group(), "snapshot-reader")).SetLogHandler(KafkaClientLog.Discard).Build();
        var read = TopicReader.ReadToEnd(consumer, topic, [0, 1], TimeSpan.FromSeconds(30), record =>
        {
            seen.Add(System.Text.Encoding.UTF8.GetString(record.Message.Value!));
            if (seen.Count == 1)
            {
                Write(1, "during");
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            }
        }, TestContext.Current.CancellationToken);

        Assert.Equal(["before-0", "before-1"], seen);
        Assert.Equal(2, read);
    }
}
