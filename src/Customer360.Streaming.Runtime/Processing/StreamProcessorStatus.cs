using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>One stream thread as the processor reports it: its name, state and assigned partitions.</summary>
public sealed record StreamThreadView(string Name, WorkerPhase State, IReadOnlyList<string> Partitions, long RecordsConsumed);

/// <summary>
/// The processor's status over its stream threads, for health endpoints, metrics and the demo: ready only while every
/// thread is; failed when a thread failed for good; its partitions and counters are those of all threads together.
/// </summary>
public sealed class StreamProcessorStatus(Func<IReadOnlyList<(string Name, StreamWorkerStatus Status)>> threads)
{
    /// <summary>What threads that were replaced had counted: a process's totals do not fall back when one is.</summary>
    private long _retiredRecordsConsumed;
    private long _retiredCommits;
    private long _retiredDeadLetters;
    private long _retiredDeletedUnread;

    /// <summary>A status of fixed threads (tests, and a processor of one worker).</summary>
    public StreamProcessorStatus(params (string Name, StreamWorkerStatus Status)[] fixedThreads)
        : this(() => fixedThreads)
    {
    }

    public IReadOnlyList<StreamThreadView> Threads =>
        [.. threads().Select(t => new StreamThreadView(
            t.Name, t.Status.Phase,
            [.. t.Status.AssignedPartitions.Select(p => $"{p.Topic}[{p.Partition.Value}]").Order(StringComparer.Ordinal)],
            t.Status.RecordsConsumed))];

    /// <summary>The least advanced phase of any thread: failed if one failed, else restoring, joining and so on; running only when all run.</summary>
    public WorkerPhase Phase
    {
        get
        {
            var phases = threads().Select(t => t.Status.Phase).ToList();
            return phases.Count == 0 ? WorkerPhase.Created
                : phases.Contains(WorkerPhase.Failed) ? WorkerPhase.Failed
                : phases.All(p => p == WorkerPhase.Running) ? WorkerPhase.Running
                : phases.First(p => p != WorkerPhase.Running);
        }
    }

    public bool IsReady
    {
        get
        {
            var all = threads();
            return all.Count > 0 && all.All(t => t.Status.IsReady);
        }
    }

    public IReadOnlyList<PartitionProgress> Partitions => [.. threads().SelectMany(t => t.Status.Partitions)];

    /// <summary>The offsets the threads committed last, per partition (the highest, should two threads have held one).</summary>
    public IReadOnlyDictionary<TopicPartition, long> CommittedOffsets =>
        threads().SelectMany(t => t.Status.CommittedOffsets).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Max(o => o.Value));

    public IReadOnlyCollection<TopicPartition> AssignedPartitions => [.. threads().SelectMany(t => t.Status.AssignedPartitions)];

    public IReadOnlyList<string> PauseReasons => [.. threads().SelectMany(t => t.Status.PauseReasons).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public long RecordsConsumed => Interlocked.Read(ref _retiredRecordsConsumed) + threads().Sum(t => t.Status.RecordsConsumed);

    public long Commits => Interlocked.Read(ref _retiredCommits) + threads().Sum(t => t.Status.Commits);

    public long DeadLetters => Interlocked.Read(ref _retiredDeadLetters) + threads().Sum(t => t.Status.DeadLetters);

    /// <summary>Source offsets the broker deleted before a thread read them (<see cref="StreamWorkerStatus.DeletedUnread"/>).</summary>
    public long DeletedUnread => Interlocked.Read(ref _retiredDeletedUnread) + threads().Sum(t => t.Status.DeletedUnread);

    /// <summary>Why a thread holds processing (a commit observer's store is unreachable), or null.</summary>
    public string? HeldBy => threads().Select(t => t.Status.HeldBy).FirstOrDefault(h => h is not null);

    public string? Failure => threads().Select(t => t.Status.Failure).FirstOrDefault(f => f is not null);

    /// <summary>Keeps the counts of a thread about to be replaced (called before its successor's status takes its place).</summary>
    internal void Retire(StreamWorkerStatus thread)
    {
        Interlocked.Add(ref _retiredRecordsConsumed, thread.RecordsConsumed);
        Interlocked.Add(ref _retiredCommits, thread.Commits);
        Interlocked.Add(ref _retiredDeadLetters, thread.DeadLetters);
        Interlocked.Add(ref _retiredDeletedUnread, thread.DeletedUnread);
    }
}
