using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What a successful commit tells the outside: commit and event-to-output latencies, the committed offsets and high
/// watermarks in the status, the repartition purge, output latency per topic, and the commit observers (the Redis
/// sink), who get the store keys that were made durable and the stores the thread owns now.
/// </summary>
internal sealed class CommitReport(StreamThreadContext context, IConsumer<byte[]?, byte[]?> consumer, KafkaRecordCollector collector, IOwnedStores owned)
{
    public void Committed(
        IReadOnlyList<TopicPartitionOffset> offsets, IEnumerable<TopicPartition> positions, IReadOnlyList<long> eventTimestamps, IReadOnlyList<StoreChange> changes, long started)
    {
        var elapsed = context.Time.GetElapsedTime(started).TotalMilliseconds;
        context.Metrics.CommitDuration.Record(elapsed);
        var committedAt = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var timestamp in eventTimestamps)
        {
            context.Metrics.EventToOutputLatency.Record(committedAt - timestamp);
        }

        context.Status.Committed(offsets);
        context.Purge?.Committed(offsets);
        foreach (var partition in positions)
        {
            var watermarks = consumer.GetWatermarkOffsets(partition);
            if (!watermarks.High.IsSpecial)
            {
                context.Status.HighWatermark(partition, watermarks.High.Value);
            }
        }

        foreach (var output in collector.TakeOutputs())
        {
            context.Metrics.OutputLatency.Record(committedAt - output.TimestampMs, new KeyValuePair<string, object?>("topic", output.Topic));
        }

        foreach (var observer in context.Observers)
        {
            observer.Committed(changes, owned);
        }

        Log.Committed(context.Logger, offsets.Count, elapsed);
    }
}
