using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// How many records the demo's output and dead-letter topics hold. Under at_least_once that is the sum of their high
/// watermarks. Under exactly_once_v2 each transaction also leaves a commit marker in every partition it wrote to, which
/// takes an offset of its own, so the records are read and counted.
/// </summary>
internal sealed class DemoTopicCounts(KafkaOptions kafka, TopicCatalog catalog, bool exactlyOnce)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public long DeadLetters() => catalog.WithRole(TopicRole.DeadLetter).FirstOrDefault() is { } topic ? Records(topic.Name) : 0;

    public long Records(string topic)
    {
        var partitions = Enumerable.Range(0, catalog.Topics.First(t => t.Name == topic).Partitions).ToList();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, "c360-demo-count", "c360-demo-count"))
            .SetLogHandler(KafkaClientLog.Discard).Build();
        return exactlyOnce
            ? TopicReader.ReadToEnd(consumer, topic, partitions, Timeout, static _ => { }, CancellationToken.None)
            : partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Timeout).High.Value);
    }
}
