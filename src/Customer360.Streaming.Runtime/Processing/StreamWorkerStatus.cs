using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// A thread-safe view of one worker for health endpoints, metrics and tests: what it owns, how far it has read
/// and what it has committed. Written by the worker thread, read by anyone.
/// </summary>
public sealed class StreamWorkerStatus
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, long> _consumedOffsets = [];
    private readonly Dictionary<TopicPartition, long> _committedOffsets = [];
    private readonly Dictionary<TopicPartition, long> _highWatermarks = [];
    private readonly Dictionary<TopicPartition, long> _lastTimestamps = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly Dictionary<TopicPartition, string> _pauseReasons = [];
    private long _deadLetters;
    private long _deletedUnread;
    private long _restoredRecords;
    private HashSet<TopicPartition> _assigned = [];
    private WorkerPhase _phase = WorkerPhase.Created;
    private long _recordsConsumed;
    private long _commits;
    private string? _failure;
    private string? _heldBy;

    public WorkerPhase Phase
    {
        get
        {
            lock (_gate)
            {
                return _phase;
            }
        }
    }

    /// <summary>Ready means the worker is in the group with a settled, restored assignment, no partition paused and processing not held.</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _phase == WorkerPhase.Running && _paused.Count == 0 && _heldBy is null;
            }
        }
    }

    /// <summary>Why processing is held (a commit observer's store is unreachable), or null.</summary>
    public string? HeldBy
    {
        get
        {
            lock (_gate)
            {
                return _heldBy;
            }
        }
    }

    public long RecordsConsumed => Interlocked.Read(ref _recordsConsumed);

    public long Commits => Interlocked.Read(ref _commits);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    /// <summary>Source offsets the broker deleted before this worker read them: records lost to every stage after the source.</summary>
    public long DeletedUnread => Interlocked.Read(ref _deletedUnread);

    public long RestoredRecords => Interlocked.Read(ref _restoredRecords);

    /// <summary>A snapshot per assigned partition: positions, high watermark (lag) and last record time (event-time lag).</summary>
    public IReadOnlyList<PartitionProgress> Partitions
    {
        get
        {
            lock (_gate)
            {
                return _assigned.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)
                    .Select(p => new PartitionProgress(
                        p,
                        _consumedOffsets.TryGetValue(p, out var consumed) ? consumed : null,
                        _committedOffsets.TryGetValue(p, out var committed) ? committed : null,
                        _highWatermarks.TryGetValue(p, out var high) ? high : null,
                        _lastTimestamps.TryGetValue(p, out var ts) ? ts : null,
                        _paused.Contains(p)))
                    .ToList();
            }
        }
    }

    public string? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    public IReadOnlyCollection<TopicPartition> AssignedPartitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _assigned];
            }
        }
    }

    /// <summary>The next offset to commit per partition (last consumed + 1), as Kafka counts committed offsets.</summary>
    public IReadOnlyDictionary<TopicPartition, long> CommittedOffsets
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<TopicPartition, long>(_committedOffsets);
            }
        }
    }

    internal void SetPhase(WorkerPhase phase)
    {
        lock (_gate)
        {
            _phase = phase;
        }
    }

    internal void Fail(string reason)
    {
        lock (_gate)
        {
            _phase = WorkerPhase.Failed;
            _failure = reason;
        }
    }

    internal void Assigned(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _assigned = [.. partitions];
            _phase = WorkerPhase.Running;
        }
    }

    internal void Released(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _assigned.Remove(partition);
                _consumedOffsets.Remove(partition);
                _paused.Remove(partition);
                _pauseReasons.Remove(partition);
            }

            _phase = WorkerPhase.Rebalancing;
        }
    }

    /// <summary>A record of <paramref name="partition"/> at <paramref name="offset"/> was processed (taken apart by the caller, which has them: a consume result builds new objects for each).</summary>
    internal void Consumed(TopicPartition partition, long offset, long timestampMs = -1)
    {
        Interlocked.Increment(ref _recordsConsumed);
        lock (_gate)
        {
            _consumedOffsets[partition] = offset;
            if (timestampMs >= 0)
            {
                _lastTimestamps[partition] = timestampMs;
            }
        }
    }

    internal void DeadLettered() => Interlocked.Increment(ref _deadLetters);

    internal void FoundDeletedUnread(long offsets) => Interlocked.Add(ref _deletedUnread, offsets);

    internal void Restored(long records) => Interlocked.Add(ref _restoredRecords, records);

    internal void HighWatermark(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            _highWatermarks[partition] = offset;
        }
    }

    /// <summary>Why partitions wait for a retry (sanitized error messages, no record data), one entry per distinct reason.</summary>
    public IReadOnlyList<string> PauseReasons
    {
        get
        {
            lock (_gate)
            {
                return [.. _pauseReasons.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            }
        }
    }

    internal void Hold(string? reason)
    {
        lock (_gate)
        {
            _heldBy = reason;
        }
    }

    internal void Paused(TopicPartition partition, bool paused, string? reason = null)
    {
        lock (_gate)
        {
            if (paused)
            {
                _paused.Add(partition);
                if (reason is not null)
                {
                    _pauseReasons[partition] = reason;
                }
            }
            else
            {
                _paused.Remove(partition);
                _pauseReasons.Remove(partition);
            }
        }
    }

    internal void Committed(IEnumerable<TopicPartitionOffset> offsets)
    {
        Interlocked.Increment(ref _commits);
        lock (_gate)
        {
            foreach (var offset in offsets)
            {
                if (!offset.Offset.IsSpecial)
                {
                    _committedOffsets[offset.TopicPartition] = offset.Offset.Value;
                }
            }
        }
    }
}

/// <summary>One partition's progress as the worker sees it.</summary>
/// <param name="Consumed">Offset of the last record processed.</param>
/// <param name="Committed">Next offset the group will read after a restart.</param>
/// <param name="HighWatermark">Offset the next produced record will get (from the last fetch).</param>
/// <param name="LastTimestampMs">Timestamp of the last record processed.</param>
public sealed record PartitionProgress(TopicPartition Partition, long? Consumed, long? Committed, long? HighWatermark, long? LastTimestampMs, bool Paused)
{
    /// <summary>
    /// Records on the broker not yet processed: counted from the committed offset once a commit has stepped past a
    /// transaction's commit marker, which no record processed ever does.
    /// </summary>
    public long? Lag => HighWatermark is { } high ? Math.Max(0, high - (Max(Consumed + 1, Committed) ?? high)) : null;

    private static long? Max(long? a, long? b) => a is { } x && b is { } y ? Math.Max(x, y) : a ?? b;

    /// <summary>
    /// While the partition is behind, the age of its last processed record at <paramref name="nowMs"/>, in seconds;
    /// 0 when caught up, so an idle partition does not look late.
    /// </summary>
    public double LagSecondsAt(long nowMs) => Lag is > 0 && LastTimestampMs is { } last ? Math.Max(0, nowMs - last) / 1000.0 : 0;
}
