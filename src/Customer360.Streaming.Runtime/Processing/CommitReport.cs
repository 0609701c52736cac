using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What a successful commit tells the outside: commit and event-to-output latencies, the committed offsets in the
/// status, the repartition purge, output latency per topic, and the commit observers (the Redis sink), who get the
/// store keys that were made durable and the stores the thread owns now.
/// </summary>
internal sealed class CommitReport(StreamThreadContext context, KafkaRecordCollector collector, IOwnedStores owned)
{
    public void Committed(
        IReadOnlyList<TopicPartitionOffset> offsets, IReadOnlyList<long> eventTimestamps, IReadOnlyList<StoreChange> changes, long started)
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

    /// <summary>A commit found nothing to commit: the observers may do what they kept for the next commit.</summary>
    public void NothingCommitted()
    {
        foreach (var observer in context.Observers)
        {
            observer.Idle(owned);
        }
    }
}
