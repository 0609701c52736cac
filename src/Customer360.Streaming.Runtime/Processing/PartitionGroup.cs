using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The fetched records of a stream thread's partitions and the rules for taking them (Kafka Streams' PartitionGroup):
/// each task takes its records in timestamp order across its source partitions (and the thread takes the oldest
/// record any of its tasks may take, <see cref="NextAcross"/>), waits up to
/// <c>Streams:MaxTaskIdleMs</c> for a partition that may still hold older records, pauses a partition whose buffer is
/// full until its task works it down to half (back-pressure), and pauses a partition whose record must be retried,
/// rewound to that record, for a backoff that doubles while the retry keeps failing.
/// </summary>
internal sealed partial class PartitionGroup(IPartitionControl consumer, StreamTopology topology, StreamsOptions streams, TimeProvider time, int maxBufferedPerPartition)
{
    /// <summary>The check for a partition this thread never sends to.</summary>
    private static readonly Func<long, bool> NeverOwnOutput = static _ => false;

    private readonly InputBuffer _buffer = new(maxBufferedPerPartition, topology.RefusedAhead, time);

    /// <summary>Each task's partitions and wait, made on first use and kept until one of its partitions leaves.</summary>
    private readonly Dictionary<(string Sub, int Partition), TaskSlot> _taskSlots = [];

    /// <summary>The slots of the task list last asked about, in its order (the thread asks with the same list until tasks change).</summary>
    private IReadOnlyList<(string Sub, int Partition)>? _alignedFor;
    private TaskSlot[] _aligned = [];

    /// <summary>The sub-topologies (by index) waiting in the current choice.</summary>
    private readonly bool[] _held = new bool[topology.SubTopologies.Count];
    private int _heldCount;

    /// <summary>Tasks that have had buffered records but waited for another of their partitions.</summary>
    private int _waitingCount;

    /// <summary>Partitions paused for a retry.</summary>
    private int _retryingCount;

    /// <summary>Each sub-topology's feeders through repartition topics, by index (<see cref="StreamTopology.FeedersByIndex"/>).</summary>
    private readonly int[][] _feeders = topology.FeedersByIndex();

    /// <summary>The slot of the record handed out last, which <see cref="Processed"/> is nearly always about.</summary>
    private PartitionSlot? _lastTaken;

    /// <summary>Whether an empty partition may still get records: made once, as the choice runs for every record.</summary>
    private Func<PartitionSlot, bool>? _mayHaveMore;

    /// <summary>
    /// Nothing older is on the way from a partition whose last fetch reached the end of the log, unless this thread
    /// itself has sent records there since (<see cref="IPartitionControl.OwnOutputCheck"/>, asked once per partition);
    /// nor from one paused for a retry.
    /// </summary>
    private Func<PartitionSlot, bool> MayHaveMore => _mayHaveMore ??= slot =>
        (slot.EndOffset is not { } end || (slot.AwaitsOwnOutput ??= consumer.OwnOutputCheck(slot.Partition) ?? NeverOwnOutput)(end))
        && slot.Retry is null;

    public int Buffered => _buffer.Count;

    /// <summary>A task is waiting for a partition: poll briefly rather than block or spin.</summary>
    public bool AnyTaskWaiting => _waitingCount > 0 || _heldCount > 0;

    public PartitionSlot Add(ConsumeResult<byte[]?, byte[]?> record)
    {
        var slot = _buffer.Add(record);
        slot.EndOffset = null;
        slot.Lags = null;
        slot.StarvedSince = null;
        if (_buffer.Full(slot) && slot.Retry is null && !slot.Full)
        {
            slot.Full = true;
            consumer.Pause(slot.Partition);
        }

        return slot;
    }

    public PartitionSlot ReachedEnd(TopicPartitionOffset end)
    {
        ArgumentNullException.ThrowIfNull(end);
        var slot = _buffer.Slot(end.TopicPartition);
        slot.EndOffset = end.Offset.Value;
        slot.Lags = null;
        return slot;
    }

    /// <summary>
    /// The task's next record in timestamp order, or null when it has none, or must still wait for a partition that
    /// may hold older records (it waits at most <c>Streams:MaxTaskIdleMs</c> from <paramref name="nowTimestamp"/>).
    /// </summary>
    public ConsumeResult<byte[]?, byte[]?>? Next((string Sub, int Partition) task, long nowTimestamp) =>
        Head(TaskSlotOf(task), nowTimestamp) is { } head ? Take(head) : null;

    /// <summary>
    /// The record this thread processes next: of the records each of <paramref name="tasks"/> may take now, the one
    /// with the lowest timestamp (ties go to the first task listed). While a task of a sub-topology has a partition
    /// with nothing buffered that the consumer knows lags, the sub-topology's other tasks wait for it too (at most
    /// <c>Streams:MaxTaskIdleMs</c> per partition), unless the record is younger than that limit (live traffic).
    /// Taking one task's records after another's, or running ahead of a task whose data is still being fetched, let a
    /// task get minutes of event time ahead of the rest on a backlog, and their outputs met downstream, on a
    /// repartition topic, that far out of order: late beyond the grace period, or stale for a rule's maxEventAge.
    /// </summary>
    /// <remarks>It runs for every record, so nothing in it allocates or hashes: it walks the tasks' slots by index.</remarks>
    public ((string Sub, int Partition) Task, ConsumeResult<byte[]?, byte[]?> Record)? NextAcross(IReadOnlyList<(string Sub, int Partition)> tasks, long nowTimestamp)
    {
        var aligned = Align(tasks);
        Array.Clear(_held);
        _heldCount = 0;
        for (var i = 0; i < aligned.Length; i++)
        {
            var task = aligned[i];
            if (!_held[task.Sub] && Starved(task, nowTimestamp))
            {
                Hold(task.Sub);
            }
        }

        if (_heldCount > 0)
        {
            HoldWhatTheyFeed(aligned);
        }

        // A record younger than the idle limit is live traffic, which arrives in order anyway: it never waits for
        // another task's fetch. The wait is for catching up, where minutes of event time sit in one fetch.
        var liveFromMs = _heldCount == 0 ? long.MinValue : time.GetUtcNow().ToUnixTimeMilliseconds() - streams.MaxTaskIdleMs;
        var oldestTask = -1;
        PartitionSlot? oldest = null;
        for (var i = 0; i < aligned.Length; i++)
        {
            var task = aligned[i];
            // A held task is not asked for its head unless that is live: asking starts and ends its own wait, whose
            // clock must not run while the thread holds it anyway.
            if ((!_held[task.Sub] || HasLiveHead(task, liveFromMs))
                && Head(task, nowTimestamp) is { } head
                && (oldest is null || head.HeadTimestampMs < oldest.HeadTimestampMs))
            {
                (oldestTask, oldest) = (i, head);
            }
        }

        return oldest is null ? null : (tasks[oldestTask], Take(oldest));
    }

    private void Hold(int sub)
    {
        _held[sub] = true;
        _heldCount++;
    }

    /// <summary>
    /// Holds every sub-topology that a held one feeds through a repartition topic, directly or further on. A stage
    /// that went ahead while the stage before it waited for a fetch saw that fetch's older records arrive behind
    /// what it had taken since.
    /// </summary>
    private void HoldWhatTheyFeed(TaskSlot[] aligned)
    {
        for (var i = 0; i < aligned.Length; i++)
        {
            var sub = aligned[i].Sub;
            if (_held[sub])
            {
                continue;
            }

            var feeders = _feeders[sub];
            for (var f = 0; f < feeders.Length; f++)
            {
                if (_held[feeders[f]])
                {
                    Hold(sub);
                    break;
                }
            }
        }
    }

    /// <summary>Whether the oldest record buffered for <paramref name="task"/> is live, looked at without any waiting bookkeeping.</summary>
    private static bool HasLiveHead(TaskSlot task, long liveFromMs) =>
        InputBuffer.Head(task.Partitions, mayHaveMore: null, enforce: true) is { } head && head.HeadTimestampMs >= liveFromMs;

    /// <summary>
    /// Whether a partition of <paramref name="task"/> has nothing buffered while the consumer knows the broker holds
    /// more of it, and has been so for less than <c>Streams:MaxTaskIdleMs</c>. The limit runs per partition: on a
    /// backlog some partition is nearly always between fetches, and one clock for them all ran out mid-drain.
    /// </summary>
    private bool Starved(TaskSlot task, long nowTimestamp)
    {
        var starved = false;
        var partitions = task.Partitions;
        for (var i = 0; i < partitions.Length; i++)
        {
            var partition = partitions[i];
            if (partition.Count > 0 || !MayHaveMore(partition) || !Lags(partition))
            {
                partition.StarvedSince = null;
                continue;
            }

            partition.StarvedSince ??= nowTimestamp;
            starved |= time.GetElapsedTime(partition.StarvedSince.Value, nowTimestamp).TotalMilliseconds < streams.MaxTaskIdleMs;
        }

        return starved;
    }

    /// <summary>The consumer's answer, asked once per partition until the next fetch changes what it knows.</summary>
    private bool Lags(PartitionSlot partition) => partition.Lags ??= consumer.Lags(partition.Partition);

    /// <summary>The partition whose head <paramref name="task"/> may take now, noting when it starts or stops waiting for a partition.</summary>
    private PartitionSlot? Head(TaskSlot task, long nowTimestamp)
    {
        var enforce = task.WaitingSince is { } since && time.GetElapsedTime(since, nowTimestamp).TotalMilliseconds >= streams.MaxTaskIdleMs;
        if (InputBuffer.Head(task.Partitions, MayHaveMore, enforce) is { } head)
        {
            StopWaiting(task);
            return head;
        }

        if (task.WaitingSince is null && InputBuffer.Any(task.Partitions))
        {
            task.WaitingSince = nowTimestamp;
            _waitingCount++;
        }

        return null;
    }

    private void StopWaiting(TaskSlot task)
    {
        if (task.WaitingSince is not null)
        {
            task.WaitingSince = null;
            _waitingCount--;
        }
    }

    private ConsumeResult<byte[]?, byte[]?> Take(PartitionSlot slot) => _buffer.Take(_lastTaken = slot);

    /// <summary>
    /// A record of <paramref name="partition"/> was processed (a full buffer may have drained); when it ended a retry,
    /// how often the record had been refused and since when.
    /// </summary>
    public (int Refusals, long FirstRefusedMs)? Processed(TopicPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var slot = _lastTaken is { } last && last.Partition.Partition == partition.Partition && last.Partition.Topic == partition.Topic
            ? last
            : _buffer.Find(partition);
        if (slot is null)
        {
            return null;
        }

        (int, long)? retryEnded = null;
        if (slot.Retry is { } retry)
        {
            retryEnded = (retry.Refusals, retry.FirstRefusedMs);
            slot.Retry = null;
            _retryingCount--;
            MakeRetriesDue();
        }

        if (slot.Full && slot.Count <= maxBufferedPerPartition / 2)
        {
            slot.Full = false;
            consumer.Resume(partition);
        }

        return retryEnded;
    }

    /// <summary>
    /// The offset to commit for a partition processed up to <paramref name="next"/>: that of its next record, which
    /// lies past a transaction's commit marker (an offset no consumer is handed, KAFKA-6607); next itself while the
    /// partition is rewound for a retry, as the consumer's position may not show the rewind yet.
    /// </summary>
    public long CommitOffset(TopicPartition partition, long next) => _buffer.Find(partition) switch
    {
        { Retry: not null } => next,
        { Count: > 0 } slot => Math.Max(next, slot.HeadOffset),
        _ => consumer.Position(partition) is { } position ? Math.Max(next, position) : next,
    };

    /// <summary>The offset of the partition's next record to process: buffered or rewound to, else the consumer's position.</summary>
    public long? NextToProcess(TopicPartition partition) => _buffer.Find(partition)?.NextToProcess ?? consumer.Position(partition);

    /// <summary>Partitions that left the thread: their records, retries and waits go with them.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (var partition in partitions)
        {
            if (_taskSlots.Remove((topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value), out var task))
            {
                StopWaiting(task);
                _alignedFor = null;
            }

            if (_buffer.Find(partition) is not { } slot)
            {
                continue;
            }

            if (slot.Retry is not null)
            {
                slot.Retry = null;
                _retryingCount--;
            }

            Drop(slot);
            _buffer.Remove(partition);
            _lastTaken = ReferenceEquals(_lastTaken, slot) ? null : _lastTaken;
        }
    }

    /// <summary>Discards what is buffered of <paramref name="partitions"/> (they will be fetched again from where the consumer is sought).</summary>
    public void DropBuffered(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (var partition in partitions)
        {
            if (_buffer.Find(partition) is { } slot)
            {
                Drop(slot);
            }
        }
    }

    private void Drop(PartitionSlot slot)
    {
        _buffer.Drop(slot);
        slot.EndOffset = null;
        if (slot.Full)
        {
            slot.Full = false;
            if (slot.Retry is null)
            {
                consumer.Resume(slot.Partition);
            }
        }
    }

    /// <summary>The slots of <paramref name="tasks"/> in their order; made again only when the thread's task list changes.</summary>
    private TaskSlot[] Align(IReadOnlyList<(string Sub, int Partition)> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (!ReferenceEquals(tasks, _alignedFor) || _aligned.Length != tasks.Count)
        {
            _aligned = [.. tasks.Select(TaskSlotOf)];
            _alignedFor = tasks;
        }

        return _aligned;
    }

    /// <summary>Partition N of each source topic of a task, and the task's wait; the same whenever the task is assigned, so kept.</summary>
    private TaskSlot TaskSlotOf((string Sub, int Partition) task)
    {
        if (!_taskSlots.TryGetValue(task, out var slot))
        {
            var sub = topology.SubTopologies.Select((s, i) => (s, i)).First(x => x.s.Name == task.Sub);
            slot = new TaskSlot(sub.i, [.. sub.s.Sources.Select(t => _buffer.Slot(new TopicPartition(t, task.Partition)))]);
            _taskSlots[task] = slot;
        }

        return slot;
    }
}
