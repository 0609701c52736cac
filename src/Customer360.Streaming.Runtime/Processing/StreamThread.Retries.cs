using System.Globalization;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// A record refused because a dependency is down, and the retries that follow: what the status and the log say. The
/// first pause of a partition is a warning; further ones are debug lines, as readiness repeats the spell every 30 s;
/// the record that goes through says after how many retries and how long.
/// </summary>
internal sealed partial class StreamThread
{
    private void PauseForRetry(StreamTask task, TopicPartitionOffset at)
    {
        var (partition, reason) = (at.TopicPartition, task.LastRetryReason ?? "a dependency is unavailable");
        var (backoff, refusals) = _partitions.PauseForRetry(at, _context.Time.GetUtcNow().ToUnixTimeMilliseconds());
        Status.Paused(partition, true, reason);
        if (refusals == 1)
        {
            Log.PartitionPausedForRetry(_context.Logger, partition.Topic, partition.Partition.Value, backoff, reason);
        }
        else
        {
            Log.PartitionPausedAgainForRetry(_context.Logger, partition.Topic, partition.Partition.Value, backoff, reason);
        }
    }

    private void RetryEnded(TopicPartition partition, int refusals, long firstRefusedMs)
    {
        Status.Paused(partition, false);
        var seconds = (_context.Time.GetUtcNow().ToUnixTimeMilliseconds() - firstRefusedMs) / 1000.0;
        Log.PartitionResumedAfterRetry(
            _context.Logger, partition.Topic, partition.Partition.Value, refusals, seconds.ToString("0.0", CultureInfo.InvariantCulture));
    }
}
