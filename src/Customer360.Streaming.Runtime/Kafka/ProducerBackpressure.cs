using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>Sends for tools that produce faster than the brokers acknowledge: a full queue waits for room, as Kafka's own producers block.</summary>
public static class ProducerBackpressure
{
    /// <summary>How long a send waits for acknowledgements to make room in a full queue before it tries again.</summary>
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(10);

    /// <summary>Hands <paramref name="message"/> to the producer, waiting while its queue (queue.buffering.max.messages or .kbytes) is full.</summary>
    public static void Produce<TKey, TValue>(IProducer<TKey, TValue> producer, string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> onDelivery)
    {
        ArgumentNullException.ThrowIfNull(producer);
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<TKey, TValue> full) when (full.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Flush(QueueFullWait);
            }
        }
    }
}
