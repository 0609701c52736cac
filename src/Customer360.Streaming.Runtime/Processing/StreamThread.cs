using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing.Guarantees;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One consumer and one producer for as long as they stay healthy, and the poll loop that drives the roles: the
/// <see cref="TaskManager"/> (tasks through their states, restore between polls), the <see cref="PartitionGroup"/>
/// (buffering, timestamp order, idle waits, pauses), the <see cref="GuaranteeStrategy"/> (commit order and
/// transactions) and the record collector. It does the I/O those roles decide on; the rebalance callbacks only record
/// what changed.
/// </summary>
internal sealed partial class StreamThread : IDisposable, ICommitSteps, IPartitionControl
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan WaitingPollTimeout = TimeSpan.FromMilliseconds(5);

    /// <summary>Records taken from the consumer per loop before the tasks process them.</summary>
    private const int MaxFetchPerRound = 2_000;

    /// <summary>A partition with this many records buffered is paused until its task works them down to half.</summary>
    private const int MaxBufferedPerPartition = 5_000;

    /// <summary>Wall-clock punctuations and paused partitions are checked this often, not on every record.</summary>
    private static readonly TimeSpan ClockCheckInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A store found damaged this often in one thread's life is on a failing disk: the next time stops the thread.</summary>
    private const int MaxRevivals = 10;

    private readonly StreamThreadContext _context;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly KafkaRecordCollector _collector;
    private readonly ConsumerAdmin _admin;
    private readonly KeyPlacement _placement;
    private readonly TaskManager _tasks;
    private readonly PartitionGroup _partitions;
    private readonly DeletedUnreadCheck _deletedUnread;
    private readonly GuaranteeStrategy _guarantee;
    private readonly CommitReport _report;
    private readonly WatermarkSightings _sightings;
    private readonly ProcessingHold _hold;
    private readonly Dictionary<TopicPartition, long> _positions = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly List<long> _uncommittedTimestamps = [];
    private readonly GroupLeave _leave;
    private readonly StreamLoopClock _loop;

    /// <summary>The store keys flushed to changelogs since the last commit: what the commit observers are told.</summary>
    private readonly List<StoreChange> _changedSinceCommit = [];
    private readonly ChangelogBatch _changelogs = new();
    private int _revivals;

    public StreamThread(StreamThreadContext context, int generation)
    {
        _context = context;
        var (kafka, streams, topology) = (context.Kafka, context.Streams, context.Topology);
        var consumerConfig = KafkaClientConfigs.StreamConsumer(kafka, streams, topology.ApplicationId, context.Thread, context.ClientId);
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler(KafkaClientLog.Errors(context.Logger, context.Time, context.ClientId))
            .SetLogHandler(context.ClientLog).Build();
        var producerConfig = KafkaClientConfigs.StreamProducer(kafka, streams, topology.ApplicationId, context.Thread, $"{context.ClientId}-producer");
        _producer = new ProducerBuilder<byte[]?, byte[]?>(producerConfig).SetLogHandler(context.ClientLog).Build();
        _admin = new ConsumerAdmin(_consumer.Handle);
        _placement = new KeyPlacement(_admin);
        _guarantee = GuaranteeStrategy.For(streams.ProcessingGuarantee, new TimedCommitSteps(this, context.Metrics.CommitStepDuration, context.Time), context.Logger, context.ClientId);
        _collector = new KafkaRecordCollector(_producer, _guarantee.BeforeSend, topic => !topology.IsInternal(topic), topology.RepartitionTopics, context.Time);
        _hold = new ProcessingHold(context, () => Commit());
        _partitions = new PartitionGroup(this, topology, streams, context.Time, MaxBufferedPerPartition);
        _deletedUnread = new DeletedUnreadCheck(this, context.Logger, context.ClientId, context.DeletedUnread);
        var restorer = new ChangelogRestorer(kafka, streams, topology, context.Time, context.Logger, context.Metrics, context.ClientId, NewTask, context.ClientLog);
        _tasks = new TaskManager(topology, restorer, context.LocalState, context.Time);
        _report = new CommitReport(context, _collector, _tasks);
        _sightings = new WatermarkSightings(_consumer, _admin, _partitions, Status, context.Time);
        _leave = new GroupLeave(_consumer, context);
        _loop = new StreamLoopClock(context.Metrics.ThreadTime, context.Time, StreamProcessor.ThreadName(context.Thread));
        if (streams.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2)
        {
            _producer.InitTransactions(TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
            Log.TransactionsInitialized(context.Logger, context.ClientId, generation);
        }
    }

    private StreamWorkerStatus Status => _context.Status;

    public void Run(CancellationToken stoppingToken)
    {
        Status.SetPhase(WorkerPhase.Joining);
        _consumer.Subscribe(_context.Topology.SourceTopics);
        Log.WorkerStarted(_context.Logger, _context.ClientId, _context.Topology.SourceTopics.Count(), _context.Topology.ApplicationId, _context.Streams.ProcessingGuarantee);
        var commitInterval = TimeSpan.FromMilliseconds(_context.Kafka.CommitIntervalMs);
        var prompt = new PromptCommit(_guarantee.CommitRevealsOutputs, TimeSpan.FromMilliseconds(_context.Kafka.PromptCommitIntervalMs), commitInterval, _context.Time);
        var lastCommit = _context.Time.GetTimestamp();
        var lastClockCheck = lastCommit;
        _loop.Start();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Fetch();
                // While processing waits for an outside store, polling only keeps the thread in its group.
                _loop.Lap(_hold.Holding ? LoopPhase.Held : LoopPhase.Poll);
                RestoreStep();
                _loop.Lap(LoopPhase.Restore);
                var held = _hold.Check(_tasks);
                if (!held)
                {
                    ProcessBuffered(lastCommit, commitInterval);
                }

                _loop.Lap(held ? LoopPhase.Held : LoopPhase.Process);
                if (_context.Time.GetElapsedTime(lastClockCheck) >= ClockCheckInterval)
                {
                    lastClockCheck = _context.Time.GetTimestamp();
                    var now = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
                    foreach (var task in held ? [] : _tasks.Running.Values)
                    {
                        task.PunctuateWallClock(now);
                    }

                    // A resumed partition still waits on its dependency until its record goes through (Handle).
                    _partitions.ResumeDue(now);
                }

                _loop.Lap(LoopPhase.Punctuate);
                var sinceCommit = _context.Time.GetElapsedTime(lastCommit);
                var prompted = sinceCommit < commitInterval && prompt.Due(_collector.CommitRequestedForMs, sinceCommit);
                if (prompted || sinceCommit >= commitInterval)
                {
                    Commit(prompted);
                    _sightings.Sight();
                    lastCommit = _context.Time.GetTimestamp();
                }

                _loop.Lap(LoopPhase.Commit);
            }
            catch (StoreCorruptedException damage) when (_revivals < MaxRevivals)
            {
                Revive(damage);
            }
        }

        Status.SetPhase(WorkerPhase.Stopping);
        Commit();
        _guarantee.Abandon();
        Release(_consumer.Assignment);
        _leave.Leave();
        Status.SetPhase(WorkerPhase.Stopped);
        Log.WorkerStopped(_context.Logger, _context.ClientId, Status.RecordsConsumed);
    }

    public void Dispose()
    {
        _tasks.Dispose();
        _producer.Dispose();
        if (!_leave.StillClosing)
        {
            // A consumer still closing on its own thread is left to it: disposing it under that call is unsafe.
            _admin.Dispose();
            _consumer.Dispose();
        }
    }

    /// <summary>Takes what the consumer has fetched (up to a round's worth) into the partition group.</summary>
    private void Fetch()
    {
        // Block only when idle; while a task waits for a partition, poll briefly rather than spin. While a task
        // restores, poll without waiting: the poll only keeps the group membership alive.
        var timeout = _tasks.RestoringCount > 0 ? TimeSpan.Zero
            : _partitions.Buffered == 0 ? PollTimeout
            : _partitions.AnyTaskWaiting ? WaitingPollTimeout : TimeSpan.Zero;
        for (var taken = 0; taken < MaxFetchPerRound; taken++)
        {
            // Only ask for a record that will be kept: one consumed past the round's limit would be lost.
            if (_consumer.Consume(taken == 0 ? timeout : TimeSpan.Zero) is not { } result)
            {
                break;
            }

            var offset = result.Offset.Value;
            if (result.IsPartitionEOF)
            {
                _deletedUnread.Fetched(_partitions.ReachedEnd(result.TopicPartitionOffset), offset, offset);
            }
            else
            {
                _deletedUnread.Fetched(_partitions.Add(result), offset, offset + 1);
            }
        }

        _deletedUnread.ResolveStarts();
    }

    /// <summary>
    /// The running tasks process what is buffered, the oldest record first across all of them (<see cref="PartitionGroup.NextAcross"/>),
    /// until the commit is due: a backlog buffered at once is committed every commit interval as it is worked off, not
    /// once at its end.
    /// </summary>
    private void ProcessBuffered(long lastCommit, TimeSpan commitInterval)
    {
        var now = _context.Time.GetTimestamp();
        while (_partitions.Buffered > 0 && _partitions.NextAcross(_tasks.RunningIds, now) is { } next)
        {
            Handle(_tasks.Running[next.Task], next.Record);
            now = _context.Time.GetTimestamp();
            if (_context.Time.GetElapsedTime(lastCommit, now) >= commitInterval)
            {
                return;
            }
        }
    }

    private void Handle(StreamTask task, ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.TopicPartition;
        var record = ConsumedRecord.ToStreamRecord(result, _context.Topology.OriginTopicsOf(result.Topic));
        _context.RecordAge(task, record);
        var outcome = _placement.Misplaced(record) is { } misplaced
            ? _context.RejectMisplaced(task, record, misplaced.Expected, misplaced.PartitionCount)
            : task.Process(record);
        if (outcome == TaskOutcome.RetryLater)
        {
            PauseForRetry(task, result.TopicPartitionOffset);
            return;
        }

        if (outcome == TaskOutcome.DeadLettered)
        {
            Status.DeadLettered();
        }

        if (_partitions.Processed(partition) is { } retried)
        {
            RetryEnded(partition, retried.Refusals, retried.FirstRefusedMs);
        }

        _positions[partition] = record.Offset + 1;
        _uncommittedTimestamps.Add(record.TimestampMs);
        Status.Consumed(partition, record.Offset, record.TimestampMs);
    }

    /// <summary>
    /// Makes what was processed durable in the order the guarantee requires, then reports it; counted as
    /// <paramref name="prompted"/> when a task's request brought it forward.
    /// </summary>
    private void Commit(bool prompted = false)
    {
        var offsets = _positions.Select(p => new TopicPartitionOffset(p.Key, _partitions.CommitOffset(p.Key, p.Value)))
            .Where(o => !_committed.TryGetValue(o.TopicPartition, out var c) || c != o.Offset.Value).ToList();
        var started = _context.Time.GetTimestamp();
        switch (_guarantee.Commit(offsets))
        {
            case CommitOutcome.Committed:
                foreach (var offset in offsets)
                {
                    _committed[offset.TopicPartition] = offset.Offset.Value;
                }

                _report.Committed(offsets, _uncommittedTimestamps, _changedSinceCommit, started);
                // Adding 0 puts the series on /metrics with the first commit, so a dashboard shows 0 rather than nothing.
                _context.Metrics.PromptedCommits.Add(prompted ? 1 : 0);
                _uncommittedTimestamps.Clear();
                _changedSinceCommit.Clear();
                break;
            case CommitOutcome.NothingToCommit:
                _report.NothingCommitted();
                break;
            case CommitOutcome.Aborted:
                RedoFromCommitted();
                break;
        }
    }

    /// <summary>An aborted transaction: rewind every partition to its committed offset and rebuild the tasks from committed state.</summary>
    private void RedoFromCommitted()
    {
        DiscardUncommitted();
        var assigned = _consumer.Assignment;
        foreach (var offset in _consumer.Committed(assigned, FlushTimeout))
        {
            _consumer.Seek(offset.Offset.IsSpecial ? new TopicPartitionOffset(offset.TopicPartition, Offset.Beginning) : offset);
            _positions.Remove(offset.TopicPartition);
        }

        _partitions.DropBuffered(assigned);
        _tasks.RestoreAllFromCommitted();
        Status.SetPhase(WorkerPhase.Restoring);
    }

    /// <summary>
    /// A store found damaged on disk (Kafka Streams' TaskCorruptedException): what was not committed is dropped and
    /// redone from committed state, as after an aborted transaction. The damaged task, whose checkpoint its store's
    /// damage dropped, is wiped on the way and restored from its changelog; the others restore what their stores lack.
    /// </summary>
    private void Revive(StoreCorruptedException damage)
    {
        _revivals++;
        Log.DamagedStoreRestoring(_context.Logger, damage, _context.ClientId, damage.Store, _revivals, MaxRevivals);
        _context.Metrics.DamagedStores.Add(1, new KeyValuePair<string, object?>("store", damage.Store));
        _guarantee.Abandon();
        RedoFromCommitted();
    }

    /// <summary>Forgets what was processed and sent since the last commit: it will not be committed.</summary>
    private void DiscardUncommitted()
    {
        _collector.DiscardSent();
        _changelogs.Discard();
        _uncommittedTimestamps.Clear();
        _changedSinceCommit.Clear();
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _context.Metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "assigned"));
        if (_leave.Started)
        {
            return;
        }

        _tasks.Assign(partitions);
        Status.Assigned(partitions);
        // A member given nothing new to restore (or nothing at all) is running; it becomes ready as before.
        Status.SetPhase(_tasks.RestoringCount > 0 ? WorkerPhase.Restoring : WorkerPhase.Running);

        Log.PartitionsAssigned(_context.Logger, _context.ClientId, partitions.Count, _tasks.Running.Count + _tasks.RestoringCount);
    }

    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        _context.Metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "revoked"));
        if (_leave.Started)
        {
            return; // Committed and released before the consumer's close, which runs this.
        }

        // The next owner starts from the committed position and restores from the changelog: make both current.
        Commit();
        Release(partitions.Select(p => p.TopicPartition));
        Log.PartitionsRevoked(_context.Logger, _context.ClientId, partitions.Count);
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        _context.Metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "lost"));
        if (_leave.Started)
        {
            return;
        }

        // Another member may own these already: committing could overwrite its progress. Drop everything uncommitted.
        _guarantee.Abandon();
        DiscardUncommitted();
        Release(partitions.Select(p => p.TopicPartition));
        Log.PartitionsLost(_context.Logger, _context.ClientId, partitions.Count);
    }

    private void Release(IEnumerable<TopicPartition> partitions)
    {
        var released = partitions.ToList();
        foreach (var partition in released)
        {
            _positions.Remove(partition);
            _committed.Remove(partition);
            _tasks.Release(partition);
        }

        _partitions.Forget(released);
        _sightings.Forget(released);
        Status.Released(released);
    }

    /// <summary>One bounded restore step; a task whose stores are all restored starts running.</summary>
    private void RestoreStep()
    {
        var (applied, finished) = _tasks.RestoreStep();
        Status.Restored(applied);
        if (finished is null)
        {
            return;
        }

        _context.Restored(finished);
        if (_tasks.RestoringCount == 0 && Status.Phase == WorkerPhase.Restoring)
        {
            Status.SetPhase(WorkerPhase.Running);
        }
    }

    private StreamTask NewTask(SubTopology sub, int partition, TaskLocalState? local) =>
        new(_context.Topology, sub, partition, _collector, _context.Streams, _context.Topology.ApplicationId, _context.Metrics, local?.OpenStore, _context.Logger);
}
