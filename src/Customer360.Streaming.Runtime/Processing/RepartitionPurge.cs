using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Customer360.Streaming.Runtime.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Kafka Streams' repartition purge: the records of a repartition topic below the group's committed offset are never
/// read again (a restart resumes at the committed offset, and state is restored from changelogs), so every
/// <c>Streams:RepartitionPurgeIntervalMs</c> a stream thread deletes them. On a real broker that bounds the repartition
/// topics to what is not yet processed; on the embedded broker it also keeps its fetches short, since each walks the
/// partition's log from its oldest batch. Deletions run in the background, one at a time, after a commit: they never
/// hold the stream thread. A broker that refuses DeleteRecords (the embedded broker over the protocol) is told once in
/// the log, and the thread stops asking.
/// </summary>
internal sealed class RepartitionPurge(
    IRecordDeleter deleter, IReadOnlyCollection<string> repartitionTopics, TimeSpan interval, TimeProvider time, StreamsMetrics metrics, ILogger logger, string clientId)
    : IDisposable
{
    private static readonly KeyValuePair<string, object?> Deleted = new("outcome", "deleted");
    private static readonly KeyValuePair<string, object?> Failed = new("outcome", "failed");

    /// <summary>How long a stopping thread waits for a deletion in flight.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(1);

    private readonly HashSet<string> _topics = new(repartitionTopics, StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The newest committed offset of each repartition partition not yet purged up to it.</summary>
    private readonly Dictionary<TopicPartition, long> _due = [];

    private Task _inFlight = Task.CompletedTask;
    private long? _lastStarted;
    private volatile bool _refused;

    /// <summary>Whether this thread purges at all: an interval of 0 turns it off, a refusing broker stops it.</summary>
    public bool Active => interval > TimeSpan.Zero && _topics.Count > 0 && !_refused;

    /// <summary>After a successful commit, on the stream thread: notes the committed repartition offsets, and purges once the interval is due.</summary>
    public void Committed(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        if (!Active)
        {
            return;
        }

        foreach (var committed in offsets)
        {
            if (_topics.Contains(committed.Topic) && !committed.Offset.IsSpecial)
            {
                _due[committed.TopicPartition] = Math.Max(committed.Offset.Value, _due.GetValueOrDefault(committed.TopicPartition));
            }
        }

        if (_due.Count == 0 || !_inFlight.IsCompleted || (_lastStarted is { } last && time.GetElapsedTime(last) < interval))
        {
            return;
        }

        List<TopicPartitionOffset> purge = [.. _due.Select(d => new TopicPartitionOffset(d.Key, d.Value))];
        _due.Clear();
        _lastStarted = time.GetTimestamp();
        _inFlight = Task.Run(() => DeleteAsync(purge));
    }

    /// <summary>The purge in flight, if any (tests wait for it).</summary>
    internal Task InFlight => _inFlight;

    public void Dispose()
    {
        _stopping.Cancel();
        // A deletion is one request: a stop waits a moment for it, and one still running closes the deleter when it ends.
        Task.WhenAny(_inFlight, Task.Delay(StopWait)).Wait();
        if (_inFlight.IsCompleted)
        {
            Release();
        }
        else
        {
            _inFlight.ContinueWith(_ => Release(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Release()
    {
        deleter.Dispose();
        _stopping.Dispose();
    }

    private async Task DeleteAsync(List<TopicPartitionOffset> purge)
    {
        try
        {
            await deleter.DeleteBeforeAsync(purge, _stopping.Token);
            metrics.RepartitionPurges.Add(purge.Count, Deleted);
        }
        catch (KafkaException ex)
        {
            metrics.RepartitionPurges.Add(purge.Count, Failed);
            var cause = Cause(ex);
            if (IsRefusal(cause.Code))
            {
                _refused = true;
                Log.RepartitionPurgeRefused(logger, clientId, cause.Code, cause.Reason);
            }
            else
            {
                // Offsets only grow: the next purge after these partitions commit again covers what this one did not.
                Log.RepartitionPurgeFailed(logger, clientId, cause.Code, cause.Reason);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the next start purges from its own commits.
        }
        catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
        {
            // Stopping, and the broker or client it asked went first (an embedded broker ends with its process).
        }
    }

    /// <summary>The request's error, or the first partition's when the broker answered per partition.</summary>
    private static Error Cause(KafkaException ex) =>
        ex is DeleteRecordsException { Results: { } results } && results.FirstOrDefault(r => r.Error.IsError) is { } failed ? failed.Error : ex.Error;

    /// <summary>Errors that asking again will not mend: the broker lacks the API, or the application may not delete.</summary>
    private static bool IsRefusal(ErrorCode code) =>
        code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed;
}
