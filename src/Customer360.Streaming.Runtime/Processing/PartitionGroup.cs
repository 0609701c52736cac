using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What the partition group asks of the consumer: pausing, resuming and rewinding partitions, and what it knows of their lag.</summary>
internal interface IPartitionControl
{
    /// <summary>
    /// Whether the consumer knows of records past its position on <paramref name="partition"/> (from the high
    /// watermark of its last fetch), true while it does not know yet. A caught-up partition says false even when new
    /// records were produced since, so waiting on it never adds latency to live traffic.
    /// </summary>
    bool Lags(TopicPartition partition);

    /// <summary>
    /// Whether this thread sent records to <paramref name="partition"/> (of one of its repartition topics) that a
    /// consumer whose end of the partition is <paramref name="endOffset"/> has not fetched: sent and not acknowledged
    /// yet, or acknowledged at or past that end. The end-of-partition event cannot know of them, and a task that took
    /// its other partitions' records meanwhile ran ahead of its own stage's output.
    /// </summary>
    bool AwaitsOwnOutput(TopicPartition partition, long endOffset);

    void Pause(TopicPartition partition);

    void Resume(TopicPartition partition);

    void Seek(TopicPartitionOffset position);
}

/// <summary>
/// The fetched records of a stream thread's partitions and the rules for taking them (Kafka Streams' PartitionGroup):
/// each task takes its records in timestamp order across its source partitions (and the thread takes the oldest
/// record any of its tasks may take, <see cref="NextAcross"/>), waits up to
/// <c>Streams:MaxTaskIdleMs</c> for a partition that may still hold older records, pauses a partition whose buffer is
/// full until its task works it down to half (back-pressure), and pauses a partition whose record must be retried,
/// rewound to that record, for a backoff that doubles while the retry keeps failing.
/// </summary>
internal sealed class PartitionGroup(IPartitionControl consumer, StreamTopology topology, StreamsOptions streams, TimeProvider time, int maxBufferedPerPartition)
{
    private readonly InputBuffer _buffer = new(maxBufferedPerPartition);

    /// <summary>
    /// Partitions whose last fetch reached the end of the log, and the offset of that end: nothing older is on the way,
    /// unless this thread itself has sent records there since (<see cref="IPartitionControl.AwaitsOwnOutput"/>).
    /// </summary>
    private readonly Dictionary<TopicPartition, long> _atEnd = [];

    /// <summary>Partitions paused because their buffer is full (not for a retry).</summary>
    private readonly HashSet<TopicPartition> _full = [];

    /// <summary>Partitions paused for a retry: when to resume, the backoff, and whether they were resumed already.</summary>
    private readonly Dictionary<TopicPartition, (long ResumeAt, int BackoffMs, bool Resumed)> _retrying = [];

    /// <summary>Since when a task has had buffered records but waited for another of its partitions.</summary>
    private readonly Dictionary<(string Sub, int Partition), long> _waitingSince = [];
    private readonly Dictionary<(string Sub, int Partition), List<TopicPartition>> _sourcePartitions = [];

    /// <summary>Since when a partition has had nothing buffered while the consumer knew it lagged.</summary>
    private readonly Dictionary<TopicPartition, long> _starvedSince = [];

    /// <summary>What the consumer said of a partition's lag since the partition's last fetched record or end.</summary>
    private readonly Dictionary<TopicPartition, bool> _lags = [];

    /// <summary>The sub-topologies waiting in the current choice (kept to spare an allocation per record).</summary>
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>Each sub-topology's feeders through repartition topics (<see cref="FeedersOf"/>), built on first need.</summary>
    private Dictionary<string, string[]>? _feeders;

    /// <summary>Whether an empty partition may still get records: made once, as the choice runs for every record.</summary>
    private Func<TopicPartition, bool>? _mayHaveMore;

    private Func<TopicPartition, bool> MayHaveMore => _mayHaveMore ??= p =>
        (!_atEnd.TryGetValue(p, out var end) || consumer.AwaitsOwnOutput(p, end)) && !_retrying.ContainsKey(p);

    public int Buffered => _buffer.Count;

    /// <summary>A task is waiting for a partition: poll briefly rather than block or spin.</summary>
    public bool AnyTaskWaiting => _waitingSince.Count > 0 || _held.Count > 0;

    public void Add(ConsumeResult<byte[]?, byte[]?> record)
    {
        var partition = record.TopicPartition;
        _atEnd.Remove(partition);
        _lags.Remove(partition);
        _starvedSince.Remove(partition);
        _buffer.Add(record);
        if (_buffer.Full(partition) && !_retrying.ContainsKey(partition) && _full.Add(partition))
        {
            consumer.Pause(partition);
        }
    }

    public void ReachedEnd(TopicPartitionOffset end)
    {
        ArgumentNullException.ThrowIfNull(end);
        _atEnd[end.TopicPartition] = end.Offset.Value;
        _lags.Remove(end.TopicPartition);
    }

    /// <summary>
    /// The task's next record in timestamp order, or null when it has none, or must still wait for a partition that
    /// may hold older records (it waits at most <c>Streams:MaxTaskIdleMs</c> from <paramref name="nowTimestamp"/>).
    /// </summary>
    public ConsumeResult<byte[]?, byte[]?>? Next((string Sub, int Partition) task, long nowTimestamp) =>
        Head(task, nowTimestamp) is { } head ? _buffer.Take(head) : null;

    /// <summary>
    /// The record this thread processes next: of the records each of <paramref name="tasks"/> may take now, the one
    /// with the lowest timestamp (ties go to the first task listed). While a task of a sub-topology has a partition
    /// with nothing buffered that the consumer knows lags, the sub-topology's other tasks wait for it too (at most
    /// <c>Streams:MaxTaskIdleMs</c> per partition), unless the record is younger than that limit (live traffic).
    /// Taking one task's records after another's, or running ahead of a task whose data is still being fetched, let a
    /// task get minutes of event time ahead of the rest on a backlog, and their outputs met downstream, on a
    /// repartition topic, that far out of order: late beyond the grace period, or stale for a rule's maxEventAge.
    /// </summary>
    /// <remarks>It runs for every record, so nothing in it allocates: lists are walked by index, never enumerated as interfaces.</remarks>
    public ((string Sub, int Partition) Task, ConsumeResult<byte[]?, byte[]?> Record)? NextAcross(IReadOnlyList<(string Sub, int Partition)> tasks, long nowTimestamp)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        _held.Clear();
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            if (!_held.Contains(task.Sub) && Starved(task, nowTimestamp))
            {
                _held.Add(task.Sub);
            }
        }

        if (_held.Count > 0)
        {
            HoldWhatTheyFeed(tasks);
        }

        // A record younger than the idle limit is live traffic, which arrives in order anyway: it never waits for
        // another task's fetch. The wait is for catching up, where minutes of event time sit in one fetch.
        var liveFromMs = _held.Count == 0 ? long.MinValue : time.GetUtcNow().ToUnixTimeMilliseconds() - streams.MaxTaskIdleMs;
        (string Sub, int Partition) oldestTask = default;
        Queue<ConsumeResult<byte[]?, byte[]?>>? oldest = null;
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            // A held task is not asked for its head unless that is live: asking starts and ends its own wait, whose
            // clock must not run while the thread holds it anyway.
            if ((!_held.Contains(task.Sub) || HasLiveHead(task, liveFromMs))
                && Head(task, nowTimestamp) is { } head
                && (oldest is null || head.Peek().Message.Timestamp.UnixTimestampMs < oldest.Peek().Message.Timestamp.UnixTimestampMs))
            {
                (oldestTask, oldest) = (task, head);
            }
        }

        return oldest is null ? null : (oldestTask, _buffer.Take(oldest));
    }

    /// <summary>
    /// Holds every sub-topology that a held one feeds through a repartition topic, directly or further on. A stage
    /// that went ahead while the stage before it waited for a fetch saw that fetch's older records arrive behind
    /// what it had taken since.
    /// </summary>
    private void HoldWhatTheyFeed(IReadOnlyList<(string Sub, int Partition)> tasks)
    {
        _feeders ??= FeedersOf(topology);
        for (var i = 0; i < tasks.Count; i++)
        {
            var sub = tasks[i].Sub;
            if (_held.Contains(sub) || !_feeders.TryGetValue(sub, out var feeders))
            {
                continue;
            }

            for (var f = 0; f < feeders.Length; f++)
            {
                if (_held.Contains(feeders[f]))
                {
                    _held.Add(sub);
                    break;
                }
            }
        }
    }

    /// <summary>For each sub-topology, every sub-topology whose output reaches it through repartition topics.</summary>
    private static Dictionary<string, string[]> FeedersOf(StreamTopology topology)
    {
        var direct = topology.SubTopologies.ToDictionary(
            s => s.Name,
            s => topology.SubTopologies.Where(w => w.Sinks.Any(t => topology.RepartitionTopics.Contains(t) && s.Sources.Contains(t))).Select(w => w.Name).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var closure = direct.ToDictionary(d => d.Key, d => new HashSet<string>(d.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        // Few sub-topologies: widen each set until nothing changes.
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var feeders in closure.Values)
            {
                foreach (var feeder in feeders.ToList())
                {
                    foreach (var further in direct[feeder])
                    {
                        changed |= feeders.Add(further);
                    }
                }
            }
        }

        return closure.Where(c => c.Value.Count > 0).ToDictionary(c => c.Key, c => c.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Whether the oldest record buffered for <paramref name="task"/> is live, looked at without any waiting bookkeeping.</summary>
    private bool HasLiveHead((string Sub, int Partition) task, long liveFromMs) =>
        _buffer.Head(SourcePartitions(task), mayHaveMore: null, enforce: true) is { } head && head.Peek().Message.Timestamp.UnixTimestampMs >= liveFromMs;

    /// <summary>
    /// Whether a partition of <paramref name="task"/> has nothing buffered while the consumer knows the broker holds
    /// more of it, and has been so for less than <c>Streams:MaxTaskIdleMs</c>. The limit runs per partition: on a
    /// backlog some partition is nearly always between fetches, and one clock for them all ran out mid-drain.
    /// </summary>
    private bool Starved((string Sub, int Partition) task, long nowTimestamp)
    {
        var starved = false;
        var partitions = SourcePartitions(task);
        for (var i = 0; i < partitions.Count; i++)
        {
            var partition = partitions[i];
            if (_buffer.BufferedOf(partition) > 0 || !MayHaveMore(partition) || !Lags(partition))
            {
                _starvedSince.Remove(partition);
                continue;
            }

            if (!_starvedSince.TryGetValue(partition, out var since))
            {
                _starvedSince[partition] = since = nowTimestamp;
            }

            starved |= time.GetElapsedTime(since, nowTimestamp).TotalMilliseconds < streams.MaxTaskIdleMs;
        }

        return starved;
    }

    /// <summary>The consumer's answer, asked once per partition until the next fetch changes what it knows.</summary>
    private bool Lags(TopicPartition partition)
    {
        if (!_lags.TryGetValue(partition, out var lags))
        {
            lags = consumer.Lags(partition);
            _lags[partition] = lags;
        }

        return lags;
    }

    /// <summary>The queue whose head <paramref name="task"/> may take now, noting when it starts or stops waiting for a partition.</summary>
    private Queue<ConsumeResult<byte[]?, byte[]?>>? Head((string Sub, int Partition) task, long nowTimestamp)
    {
        var partitions = SourcePartitions(task);
        var enforce = _waitingSince.TryGetValue(task, out var since)
            && time.GetElapsedTime(since, nowTimestamp).TotalMilliseconds >= streams.MaxTaskIdleMs;
        if (_buffer.Head(partitions, MayHaveMore, enforce) is { } head)
        {
            _waitingSince.Remove(task);
            return head;
        }

        if (_buffer.Any(partitions))
        {
            _waitingSince.TryAdd(task, nowTimestamp);
        }

        return null;
    }

    /// <summary>A record of <paramref name="partition"/> was processed: its retry is over, and a full buffer may have drained.</summary>
    public void Processed(TopicPartition partition)
    {
        _retrying.Remove(partition);
        if (_full.Contains(partition) && _buffer.BufferedOf(partition) <= maxBufferedPerPartition / 2)
        {
            _full.Remove(partition);
            consumer.Resume(partition);
        }
    }

    /// <summary>A dependency is down: rewind to the record and pause its partition. Returns the backoff in milliseconds.</summary>
    public int PauseForRetry(TopicPartitionOffset at, long nowMs)
    {
        var partition = at.TopicPartition;
        var backoff = _retrying.TryGetValue(partition, out var previous)
            ? Math.Min(previous.BackoffMs * 2, streams.TransientRetryBackoffMaxMs)
            : streams.TransientRetryBackoffMs;
        consumer.Pause(partition);
        consumer.Seek(at);
        _retrying[partition] = (nowMs + backoff, backoff, false);
        // Rewound: what was buffered after the record is fetched again after the pause (which a full buffer's resume must not end).
        Drop(partition);
        return backoff;
    }

    /// <summary>Resumes the partitions whose retry is due; each keeps its backoff (doubled if it fails again) until a record succeeds.</summary>
    public IReadOnlyList<TopicPartition> ResumeDue(long nowMs)
    {
        if (_retrying.Count == 0)
        {
            return [];
        }

        var due = _retrying.Where(p => !p.Value.Resumed && p.Value.ResumeAt <= nowMs).Select(p => p.Key).ToList();
        foreach (var partition in due)
        {
            consumer.Resume(partition);
            _retrying[partition] = _retrying[partition] with { Resumed = true };
        }

        return due;
    }

    /// <summary>Partitions that left the thread: their records, retries and waits go with them.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _retrying.Remove(partition);
            _waitingSince.Remove((topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value));
            _starvedSince.Remove(partition);
            _lags.Remove(partition);
            Drop(partition);
        }
    }

    /// <summary>Discards what is buffered of <paramref name="partitions"/> (they will be fetched again from where the consumer is sought).</summary>
    public void DropBuffered(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            Drop(partition);
        }
    }

    private void Drop(TopicPartition partition)
    {
        _buffer.Drop(partition);
        _atEnd.Remove(partition);
        if (_full.Remove(partition) && !_retrying.ContainsKey(partition))
        {
            consumer.Resume(partition);
        }
    }

    /// <summary>Partition N of each source topic of a task; the same for a key whenever it is assigned, so kept.</summary>
    private List<TopicPartition> SourcePartitions((string Sub, int Partition) task) =>
        _sourcePartitions.TryGetValue(task, out var partitions) ? partitions : KeepSourcePartitions(task);

    // Apart from the lookup, so the closure over the task is made once per task rather than on every call.
    private List<TopicPartition> KeepSourcePartitions((string Sub, int Partition) task)
    {
        List<TopicPartition> partitions = [.. topology.SubTopologies.First(s => s.Name == task.Sub).Sources.Select(t => new TopicPartition(t, task.Partition))];
        _sourcePartitions[task] = partitions;
        return partitions;
    }
}
