using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

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
    private readonly Dictionary<TopicPartition, long> _lastTimestamps = [];
    private readonly Dictionary<TopicPartition, long> _nextToProcess = [];
    /// <summary>The high watermarks sighted per assigned partition: the latest is the one lag counts to.</summary>
    private readonly Dictionary<TopicPartition, ArrivalTimeline> _arrivals = [];
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

    /// <summary>A snapshot per assigned partition: positions, high watermark (lag) and how long its next record has waited.</summary>
    public IReadOnlyList<PartitionProgress> Partitions
    {
        get
        {
            lock (_gate)
            {
                return _assigned.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).Select(Progress).ToList();
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
                _nextToProcess.Remove(partition);
                _arrivals.Remove(partition);
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

    /// <summary>
    /// The thread sighted <paramref name="partition"/>'s high watermark at <paramref name="nowMs"/>, with the offset of
    /// its next record to process (null when unknown): lag holds while nothing is processed or committed.
    /// </summary>
    internal void Sighted(TopicPartition partition, long highWatermark, long? nextToProcess, long nowMs)
    {
        lock (_gate)
        {
            if (nextToProcess is { } next)
            {
                _nextToProcess[partition] = next;
            }

            if (!_arrivals.TryGetValue(partition, out var arrivals))
            {
                arrivals = new ArrivalTimeline();
                _arrivals[partition] = arrivals;
            }

            arrivals.Observe(highWatermark, nowMs);
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

    /// <summary>One partition's snapshot; the caller holds the lock.</summary>
    private PartitionProgress Progress(TopicPartition partition)
    {
        long? lastTimestamp = _lastTimestamps.TryGetValue(partition, out var ts) ? ts : null;
        var arrivals = _arrivals.GetValueOrDefault(partition);
        var progress = new PartitionProgress(
            partition,
            _consumedOffsets.TryGetValue(partition, out var consumed) ? consumed : null,
            _committedOffsets.TryGetValue(partition, out var committed) ? committed : null,
            arrivals?.HighWatermark,
            lastTimestamp,
            _paused.Contains(partition),
            _nextToProcess.TryGetValue(partition, out var next) ? next : null);
        return progress.Lag is > 0 && progress.NextUnprocessed is { } waiting && arrivals is not null
            ? progress with { WaitingSinceMs = arrivals.ArrivedByMs(waiting, lastTimestamp) }
            : progress;
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
/// <param name="HighWatermark">Offset the next produced record will get (as last sighted).</param>
/// <param name="LastTimestampMs">Timestamp of the last record processed.</param>
/// <param name="NextToProcess">Offset of the next record to process as last sighted (buffered, rewound to, or to fetch).</param>
/// <param name="WaitingSinceMs">While behind, by when the next record to process reached the broker (<see cref="ArrivalTimeline"/>).</param>
public sealed record PartitionProgress(
    TopicPartition Partition, long? Consumed, long? Committed, long? HighWatermark, long? LastTimestampMs, bool Paused, long? NextToProcess = null, long? WaitingSinceMs = null)
{
    /// <summary>
    /// Records on the broker not yet processed: counted from the committed offset once a commit has stepped past a
    /// transaction's commit marker, which no record processed ever does, and from the next record to process while
    /// nothing has been processed or committed.
    /// </summary>
    public long? Lag => HighWatermark is { } high ? Math.Max(0, high - (NextUnprocessed ?? high)) : null;

    /// <summary>The offset the lag counts from: past what was processed, committed and sighted as next.</summary>
    public long? NextUnprocessed => Max(Max(Consumed + 1, Committed), NextToProcess);

    private static long? Max(long? a, long? b) => a is { } x && b is { } y ? Math.Max(x, y) : a ?? b;

    /// <summary>
    /// While the partition is behind, how long its next record to process has waited at <paramref name="nowMs"/>, in
    /// seconds: since it reached the broker (<see cref="WaitingSinceMs"/>), else since the time the last processed record
    /// carried; 0 when caught up, so an idle partition does not look late.
    /// </summary>
    public double LagSecondsAt(long nowMs) => Lag is > 0 && (WaitingSinceMs ?? LastTimestampMs) is { } since ? Math.Max(0, nowMs - since) / 1000.0 : 0;
}
