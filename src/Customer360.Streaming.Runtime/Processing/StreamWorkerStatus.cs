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
    private HashSet<TopicPartition> _assigned = [];
    private WorkerPhase _phase = WorkerPhase.Created;
    private long _recordsConsumed;
    private long _commits;
    private string? _failure;

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

    /// <summary>Ready means the worker is in the group with a settled assignment and consuming.</summary>
    public bool IsReady => Phase == WorkerPhase.Running;

    public long RecordsConsumed => Interlocked.Read(ref _recordsConsumed);

    public long Commits => Interlocked.Read(ref _commits);

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

    public IReadOnlyDictionary<TopicPartition, long> ConsumedOffsets
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<TopicPartition, long>(_consumedOffsets);
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
            }

            _phase = WorkerPhase.Rebalancing;
        }
    }

    internal void Consumed(TopicPartitionOffset position)
    {
        Interlocked.Increment(ref _recordsConsumed);
        lock (_gate)
        {
            _consumedOffsets[position.TopicPartition] = position.Offset.Value;
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
