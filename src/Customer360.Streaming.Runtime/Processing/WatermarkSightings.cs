using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Tells the status, every commit interval, each assigned partition's high watermark and next record to process, so
/// lag in records and seconds holds while nothing is processed or committed (an outside store down, a retry, a full
/// buffer). The consumer's watermarks come with its fetches, and a paused partition is not fetched, so every
/// <see cref="QueryInterval"/> the broker is also asked, without waiting on the stream thread.
/// </summary>
internal sealed class WatermarkSightings(IConsumer<byte[]?, byte[]?> consumer, ConsumerAdmin admin, PartitionGroup partitions, StreamWorkerStatus status, TimeProvider time)
{
    /// <summary>How often the broker is asked for the high watermarks, which fetches do not update while paused.</summary>
    public static readonly TimeSpan QueryInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<TopicPartition, long> _queried = [];
    private Task<ListOffsetsResult>? _query;
    private long _lastQuery;

    public void Sight()
    {
        TakeQueryAnswer();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var assignment = consumer.Assignment;
        foreach (var partition in assignment)
        {
            var fetched = consumer.GetWatermarkOffsets(partition).High;
            long? high = fetched.IsSpecial ? null : fetched.Value;
            if (_queried.TryGetValue(partition, out var asked) && asked > (high ?? -1))
            {
                high = asked;
            }

            if (high is { } known)
            {
                status.Sighted(partition, known, partitions.NextToProcess(partition), now);
            }
        }

        if (_query is null && assignment.Count > 0 && time.GetElapsedTime(_lastQuery) >= QueryInterval)
        {
            _lastQuery = time.GetTimestamp();
            try
            {
                _query = admin.Client.ListOffsetsAsync(assignment.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }));
            }
            catch (KafkaException)
            {
                // A query that cannot start (the client closing) must not fail the stream thread: it only feeds the lag reported.
                _query = null;
            }
        }
    }

    /// <summary>Partitions revoked or lost: what the broker said of them no longer applies.</summary>
    public void Forget(IEnumerable<TopicPartition> revoked)
    {
        foreach (var partition in revoked)
        {
            _queried.Remove(partition);
        }
    }

    private void TakeQueryAnswer()
    {
        if (_query is not { IsCompleted: true } answered)
        {
            return;
        }

        _query = null;
        // A failed query (a broker away, a partition moved) is asked again at the next interval; the fetches go on.
        if (answered.IsCompletedSuccessfully)
        {
            foreach (var info in answered.Result.ResultInfos)
            {
                var offset = info.TopicPartitionOffsetError;
                if (offset.Error.Code == ErrorCode.NoError && !offset.Offset.IsSpecial)
                {
                    _queried[offset.TopicPartition] = offset.Offset.Value;
                }
            }
        }
        else
        {
            _ = answered.Exception;
        }
    }
}
