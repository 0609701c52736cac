using Customer360.Streaming.Runtime.Stores;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One member of the application's consumer group, on a dedicated thread, running the tasks of the partitions it is
/// assigned. On assignment it restores each new task's stores from their changelogs before processing; on revocation
/// it commits; on loss it discards without committing. Every commit interval it makes outputs, changelog and input
/// positions durable together (see <see cref="ProcessingGuarantee"/>). A fenced producer rebuilds the worker.
/// </summary>
public sealed class StreamWorker
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

    private readonly KafkaOptions _kafka;
    private readonly StreamsOptions _streams;
    private readonly StreamTopology _topology;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StreamsMetrics _metrics;
    private readonly IReadOnlyList<ICommitObserver> _observers;
    private readonly string _clientId;

    /// <summary>Topics whose mis-partitioned keys were logged already: the fix is logged once per topic, then only counted.</summary>
    private readonly HashSet<string> _misPartitionedTopics = new(StringComparer.Ordinal);

    public StreamWorker(
        KafkaOptions kafka,
        StreamsOptions streams,
        StreamTopology topology,
        TimeProvider time,
        ILogger<StreamWorker> logger,
        string clientId,
        StreamsMetrics? metrics = null,
        IReadOnlyList<ICommitObserver>? observers = null)
    {
        _kafka = kafka;
        _streams = streams;
        _topology = topology;
        _time = time;
        _logger = logger;
        _clientId = clientId;
        _metrics = metrics ?? new StreamsMetrics();
        _observers = observers ?? [];
    }

    public StreamWorkerStatus Status { get; } = new();

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then commits what was processed and leaves the group.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        for (var generation = 1; ; generation++)
        {
            try
            {
                using var session = new Session(this, generation);
                session.Run(stoppingToken);
                return;
            }
            catch (KafkaException ex) when (ex.Error.IsFatal && !stoppingToken.IsCancellationRequested && generation < 10)
            {
                // A fenced or otherwise fatal producer cannot continue; a new one with the same transactional.id
                // fences any zombie and resumes from the last committed transaction.
                Log.WorkerRebuilding(_logger, _clientId, ex.Error.Code, generation);
            }
            catch (Exception ex) when (ex is KafkaException or StreamsFatalException or InvalidOperationException)
            {
                Status.Fail(ex.Message);
                Log.WorkerFailed(_logger, ex, _clientId);
                throw;
            }
        }
    }

    /// <summary>One consumer and one producer for as long as they stay healthy.</summary>
    private sealed class Session : IDisposable, IOwnedStores
    {
        public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) =>
            _tasks.Values.Where(t => t.Stores.ContainsKey(store)).SelectMany(t => t.Store(store).All());

        public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, StateSerde<T> serde)
            where T : class =>
            _tasks.Values.Where(t => t.Stores.ContainsKey(store)).SelectMany(t => t.Store(store).AllDecoded(serde));

        public T? Current<T>(string store, int partition, string key, StateSerde<T> serde)
            where T : class =>
            _tasks.Values.FirstOrDefault(t => t.Partition == partition && t.Stores.ContainsKey(store))?.Store(store).GetDecoded(key, serde);

        private readonly StreamWorker _worker;
        private readonly bool _exactlyOnce;
        private readonly IConsumer<byte[]?, byte[]?> _consumer;
        private readonly IProducer<byte[]?, byte[]?> _producer;
        private readonly KafkaRecordCollector _collector;
        private readonly KeyPlacement _placement;
        private readonly Dictionary<(string Sub, int Partition), StreamTask> _tasks = [];

        /// <summary>Where RocksDB stores live (null: in memory), and each task's local state there.</summary>
        private readonly string? _stateDirectory;
        private readonly Dictionary<(string Sub, int Partition), TaskLocalState> _local = [];

        /// <summary>Tasks assigned but still restoring; they join <see cref="_tasks"/> when done.</summary>
        private readonly ChangelogRestorer _restoring;
        private readonly Dictionary<TopicPartition, long> _positions = [];
        private readonly Dictionary<TopicPartition, long> _committed = [];
        private readonly Dictionary<TopicPartition, (long ResumeAt, int BackoffMs, bool Resumed)> _paused = [];
        private readonly InputBuffer _buffer = new(MaxBufferedPerPartition);

        /// <summary>Partitions whose last fetch reached the end of the log: nothing older is on the way.</summary>
        private readonly HashSet<TopicPartition> _atEnd = [];

        /// <summary>Partitions paused because their buffer is full (not for a retry).</summary>
        private readonly HashSet<TopicPartition> _full = [];

        /// <summary>Since when a task has had buffered records but waited for another of its partitions.</summary>
        private readonly Dictionary<(string Sub, int Partition), long> _waitingSince = [];
        private readonly Dictionary<(string Sub, int Partition), List<TopicPartition>> _sourcePartitions = [];
        private readonly List<long> _uncommittedTimestamps = [];
        private bool _transactionOpen;

        public Session(StreamWorker worker, int generation)
        {
            _worker = worker;
            _exactlyOnce = worker._streams.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2;
            _stateDirectory = worker._streams.StateStore == StateStoreKind.RocksDb ? worker._streams.ResolvedStateDirectory(worker._topology.ApplicationId) : null;
            _restoring = new ChangelogRestorer(worker._kafka, worker._streams, worker._topology, worker._time, worker._logger, worker._metrics, worker._clientId, NewTask);
            var consumerConfig = KafkaClientConfigs.Consumer(worker._kafka, worker._topology.ApplicationId, worker._clientId);
            // End-of-partition events say when a partition is caught up, so a task knows whether to wait for it.
            consumerConfig.EnablePartitionEof = true;
            consumerConfig.GroupInstanceId = worker._streams.GroupInstanceId(worker._topology.ApplicationId);
            _consumer = new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig)
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
                .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
                .SetErrorHandler((_, error) => Log.ClientError(worker._logger, worker._clientId, error.Code, error.Reason))
                .Build();
            var producerConfig = KafkaClientConfigs.Producer(worker._kafka, $"{worker._clientId}-producer");
            if (_exactlyOnce)
            {
                // Stable across restarts of this instance, so a restart fences the previous run's open transaction.
                producerConfig.TransactionalId = $"{worker._topology.ApplicationId}-{worker._streams.ResolvedInstanceId}";
                producerConfig.TransactionTimeoutMs = worker._streams.TransactionTimeoutMs;
            }

            _producer = new ProducerBuilder<byte[]?, byte[]?>(producerConfig).Build();
            _placement = new KeyPlacement(_consumer.Handle);
            _collector = new KafkaRecordCollector(_producer, EnsureTransaction);
            if (_exactlyOnce)
            {
                _producer.InitTransactions(TimeSpan.FromSeconds(worker._kafka.StartupTimeoutSeconds));
                Log.TransactionsInitialized(worker._logger, worker._clientId, generation);
            }
        }

        private StreamWorkerStatus Status => _worker.Status;

        public void Run(CancellationToken stoppingToken)
        {
            Status.SetPhase(WorkerPhase.Joining);
            _consumer.Subscribe(_worker._topology.SourceTopics);
            Log.WorkerStarted(_worker._logger, _worker._clientId, _worker._topology.SourceTopics.Count(), _worker._topology.ApplicationId, _worker._streams.ProcessingGuarantee);
            var commitInterval = TimeSpan.FromMilliseconds(_worker._kafka.CommitIntervalMs);
            var lastCommit = _worker._time.GetTimestamp();
            var lastClockCheck = lastCommit;
            while (!stoppingToken.IsCancellationRequested)
            {
                Fetch();
                RestoreStep();
                ProcessBuffered();

                if (_worker._time.GetElapsedTime(lastClockCheck) >= ClockCheckInterval)
                {
                    lastClockCheck = _worker._time.GetTimestamp();
                    var now = _worker._time.GetUtcNow().ToUnixTimeMilliseconds();
                    foreach (var task in _tasks.Values)
                    {
                        task.PunctuateWallClock(now);
                    }

                    ResumeDuePartitions(now);
                }

                if (_worker._time.GetElapsedTime(lastCommit) >= commitInterval)
                {
                    Commit();
                    lastCommit = _worker._time.GetTimestamp();
                }
            }

            Status.SetPhase(WorkerPhase.Stopping);
            Commit();
            if (_transactionOpen)
            {
                _producer.AbortTransaction(FlushTimeout);
                _transactionOpen = false;
            }

            _consumer.Close();
            Status.SetPhase(WorkerPhase.Stopped);
            Log.WorkerStopped(_worker._logger, _worker._clientId, Status.RecordsConsumed);
        }

        public void Dispose()
        {
            foreach (var key in _tasks.Keys.ToList())
            {
                CloseTask(key);
            }

            _restoring.Dispose();
            _placement.Dispose();
            _consumer.Dispose();
            _producer.Dispose();
        }

        /// <summary>Takes what the consumer has fetched (up to a round's worth) into the per-partition buffers.</summary>
        private void Fetch()
        {
            // Block only when idle; while a task waits for a partition, poll briefly rather than spin.
            // While a task restores, poll without waiting: the poll only keeps the group membership alive.
            var timeout = _restoring.Count > 0 ? TimeSpan.Zero : _buffer.Count == 0 ? PollTimeout : _waitingSince.Count > 0 ? WaitingPollTimeout : TimeSpan.Zero;
            for (var taken = 0; taken < MaxFetchPerRound; taken++)
            {
                // Only ask for a record that will be kept: one consumed past the round's limit would be lost.
                if (_consumer.Consume(taken == 0 ? timeout : TimeSpan.Zero) is not { } result)
                {
                    return;
                }

                var partition = result.TopicPartition;
                if (result.IsPartitionEOF)
                {
                    _atEnd.Add(partition);
                    continue;
                }

                _atEnd.Remove(partition);
                _buffer.Add(result);
                if (_buffer.Full(partition) && !_paused.ContainsKey(partition) && _full.Add(partition))
                {
                    _consumer.Pause([partition]);
                }
            }
        }

        /// <summary>Each task processes its buffered records in timestamp order, waiting for a partition that may hold older ones.</summary>
        private void ProcessBuffered()
        {
            if (_buffer.Count == 0)
            {
                return;
            }

            var now = _worker._time.GetTimestamp();
            foreach (var key in _tasks.Keys.ToList())
            {
                var partitions = SourcePartitions(key);
                while (_tasks.ContainsKey(key))
                {
                    var enforce = _waitingSince.TryGetValue(key, out var since)
                        && _worker._time.GetElapsedTime(since, now).TotalMilliseconds >= _worker._streams.MaxTaskIdleMs;
                    if (_buffer.Next(partitions, p => !_atEnd.Contains(p) && !_paused.ContainsKey(p), enforce) is not { } next)
                    {
                        if (_buffer.Any(partitions))
                        {
                            _waitingSince.TryAdd(key, now);
                        }

                        break;
                    }

                    _waitingSince.Remove(key);
                    Handle(next);
                    if (_full.Contains(next.TopicPartition) && _buffer.BufferedOf(next.TopicPartition) <= MaxBufferedPerPartition / 2)
                    {
                        _full.Remove(next.TopicPartition);
                        _consumer.Resume([next.TopicPartition]);
                    }
                }
            }
        }

        /// <summary>Partition N of each source topic of a task; the same for a key whenever it is assigned, so kept.</summary>
        private List<TopicPartition> SourcePartitions((string Sub, int Partition) task)
        {
            if (!_sourcePartitions.TryGetValue(task, out var partitions))
            {
                partitions = [.. _worker._topology.SubTopologies.First(s => s.Name == task.Sub).Sources.Select(t => new TopicPartition(t, task.Partition))];
                _sourcePartitions[task] = partitions;
            }

            return partitions;
        }

        private void Handle(ConsumeResult<byte[]?, byte[]?> result)
        {
            var partition = result.TopicPartition;
            if (!_tasks.TryGetValue((_worker._topology.SubTopologyOf(result.Topic).Name, partition.Partition.Value), out var task))
            {
                return; // A record of a partition revoked in this very poll.
            }

            var record = new StreamRecord(
                result.Topic, partition.Partition.Value, result.Offset.Value, result.Message.Timestamp.UnixTimestampMs,
                result.Message.Key, result.Message.Value, Headers(result.Message.Headers));
            var outcome = _placement.Misplaced(record) is { } misplaced
                ? RejectMisplaced(task, record, misplaced.Expected, misplaced.PartitionCount)
                : task.Process(record);
            if (outcome == TaskOutcome.RetryLater)
            {
                PauseForRetry(result.TopicPartitionOffset, task.LastRetryReason ?? "a dependency is unavailable");
                return;
            }

            if (outcome == TaskOutcome.DeadLettered)
            {
                Status.DeadLettered();
            }

            _paused.Remove(partition);
            _positions[partition] = result.Offset.Value + 1;
            _uncommittedTimestamps.Add(record.TimestampMs);
            Status.Consumed(result.TopicPartitionOffset, record.TimestampMs);
        }

        private TaskOutcome RejectMisplaced(StreamTask task, StreamRecord record, int expected, int partitionCount)
        {
            _worker._metrics.MisPartitionedRecords.Add(1, new KeyValuePair<string, object?>("topic", record.Topic));
            if (_worker._misPartitionedTopics.Add(record.Topic))
            {
                Log.MisPartitionedKeys(_worker._logger, record.Topic);
            }

            return task.Reject(record, new MisPartitionedKeyException(record.Topic, record.Partition, expected, partitionCount));
        }

        /// <summary>A dependency is down: rewind to the record, pause the partition, retry after a growing backoff.</summary>
        private void PauseForRetry(TopicPartitionOffset at, string reason)
        {
            var backoff = _paused.TryGetValue(at.TopicPartition, out var previous)
                ? Math.Min(previous.BackoffMs * 2, _worker._streams.TransientRetryBackoffMaxMs)
                : _worker._streams.TransientRetryBackoffMs;
            _consumer.Pause([at.TopicPartition]);
            _consumer.Seek(at);
            // Rewound: what was buffered after the record is fetched again after the pause.
            _buffer.Drop(at.TopicPartition);
            _atEnd.Remove(at.TopicPartition);
            _full.Remove(at.TopicPartition);
            _paused[at.TopicPartition] = (_worker._time.GetUtcNow().ToUnixTimeMilliseconds() + backoff, backoff, false);
            Status.Paused(at.TopicPartition, true, reason);
            Log.PartitionPausedForRetry(_worker._logger, at.Topic, at.Partition.Value, backoff, reason);
        }

        private void ResumeDuePartitions(long nowMs)
        {
            // The entry stays after resuming (its backoff doubles if the retry fails again) until a record succeeds.
            if (_paused.Count == 0)
            {
                return;
            }

            foreach (var (partition, entry) in _paused.Where(p => !p.Value.Resumed && p.Value.ResumeAt <= nowMs).ToList())
            {
                _consumer.Resume([partition]);
                _paused[partition] = entry with { Resumed = true };
                Status.Paused(partition, false);
            }
        }

        private void EnsureTransaction()
        {
            if (_exactlyOnce && !_transactionOpen)
            {
                _producer.BeginTransaction();
                _transactionOpen = true;
            }
        }

        /// <summary>
        /// at_least_once: outputs acknowledged, then the changelog (which marks their inputs applied) acknowledged,
        /// then offsets committed, so a crash between any two steps replays and never loses an output.
        /// exactly_once_v2: changelog and offsets join the open transaction, which commits atomically.
        /// </summary>
        private void Commit()
        {
            var offsets = _positions.Where(p => !_committed.TryGetValue(p.Key, out var c) || c != p.Value)
                .Select(p => new TopicPartitionOffset(p.Key, p.Value)).ToList();
            var started = _worker._time.GetTimestamp();
            if (_exactlyOnce)
            {
                if (!_transactionOpen && offsets.Count == 0)
                {
                    return;
                }

                EnsureTransaction();
                foreach (var task in _tasks.Values)
                {
                    task.FlushChangelog();
                }

                try
                {
                    if (offsets.Count > 0)
                    {
                        Retrying(() => _producer.SendOffsetsToTransaction(offsets, _consumer.ConsumerGroupMetadata, FlushTimeout));
                    }

                    Retrying(() => _producer.CommitTransaction(FlushTimeout));
                    _transactionOpen = false;
                    ChangesDurable();
                }
                catch (KafkaTxnRequiresAbortException ex)
                {
                    AbortAndRewind(ex);
                    return;
                }
            }
            else
            {
                if (offsets.Count == 0 && _collector.PendingSinceCommit == 0 && _tasks.Values.All(t => t.Stores.Values.All(s => s.PendingChanges == 0)))
                {
                    return;
                }

                _collector.FlushAndCheck(FlushTimeout);
                foreach (var task in _tasks.Values)
                {
                    task.FlushChangelog();
                }

                _collector.FlushAndCheck(FlushTimeout);
                ChangesDurable();
                if (offsets.Count > 0)
                {
                    try
                    {
                        _consumer.Commit(offsets);
                    }
                    catch (KafkaException ex) when (ex.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
                    {
                        // The group is moving partitions. Outputs and changelog are durable already, so skipping this
                        // commit is safe: the revoke handler or the next interval commits, and whoever replays these
                        // records recognises them by their applied offsets.
                        Log.CommitDeferred(_worker._logger, _worker._clientId, ex.Error.Code);
                        return;
                    }
                }
            }

            foreach (var offset in offsets)
            {
                _committed[offset.TopicPartition] = offset.Offset.Value;
            }

            var elapsed = _worker._time.GetElapsedTime(started).TotalMilliseconds;
            _worker._metrics.CommitDuration.Record(elapsed);
            var committedAt = _worker._time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var timestamp in _uncommittedTimestamps)
            {
                _worker._metrics.EventToOutputLatency.Record(committedAt - timestamp);
            }

            _uncommittedTimestamps.Clear();
            Status.Committed(offsets);
            foreach (var partition in _positions.Keys)
            {
                var watermarks = _consumer.GetWatermarkOffsets(partition);
                if (!watermarks.High.IsSpecial)
                {
                    Status.HighWatermark(partition, watermarks.High.Value);
                }
            }

            var sent = _collector.TakeSent();
            foreach (var output in sent.Where(o => !_worker._topology.IsInternal(o.Topic)))
            {
                _worker._metrics.OutputLatency.Record(committedAt - output.TimestampMs, new KeyValuePair<string, object?>("topic", output.Topic));
            }

            foreach (var observer in _worker._observers)
            {
                observer.Committed(sent, this);
            }

            Log.Committed(_worker._logger, offsets.Count, elapsed);
        }

        /// <summary>The changelog acknowledged what the tasks flushed: local stores write it, and checkpoint now and then.</summary>
        private void ChangesDurable()
        {
            foreach (var (key, task) in _tasks)
            {
                if (_local.TryGetValue(key, out var local))
                {
                    local.Committed(task, _collector.AcknowledgedOffset, _worker._topology.ChangelogTopic);
                }
                else
                {
                    task.ChangesDurable();
                }
            }
        }

        /// <summary>Closes a task: its local stores record how far they are, then release their files for the next owner.</summary>
        private void CloseTask((string Sub, int Partition) key)
        {
            if (_tasks.Remove(key, out var task))
            {
                if (_local.Remove(key, out var local))
                {
                    local.Checkpoint(task);
                }

                task.Close();
            }
        }

        /// <summary>Retriable transaction errors (a coordinator moving, a timeout) are retried; the call is idempotent.</summary>
        private void Retrying(Action operation)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    operation();
                    return;
                }
                catch (KafkaRetriableException ex) when (attempt < 5)
                {
                    Log.TransactionRetry(_worker._logger, _worker._clientId, ex.Error.Code, attempt);
                    Thread.Sleep(100 * attempt);
                }
            }
        }

        /// <summary>Abortable transaction error: discard the transaction's effects and redo from the committed state.</summary>
        private void AbortAndRewind(KafkaException error)
        {
            Log.TransactionAborted(_worker._logger, _worker._clientId, error.Error.Code);
            _producer.AbortTransaction(FlushTimeout);
            _transactionOpen = false;
            _collector.DiscardSent();
            _uncommittedTimestamps.Clear();
            var assigned = _consumer.Assignment;
            var committed = _consumer.Committed(assigned, FlushTimeout);
            foreach (var offset in committed)
            {
                _consumer.Seek(offset.Offset.IsSpecial ? new TopicPartitionOffset(offset.TopicPartition, Offset.Beginning) : offset);
                _positions.Remove(offset.TopicPartition);
            }

            ForgetBuffered(assigned);

            // Uncommitted state is dropped by rebuilding every task from its (committed) changelog; local stores hold
            // only what was committed, so they restore from their checkpoints.
            var keys = _tasks.Keys.ToList();
            foreach (var key in keys)
            {
                CloseTask(key);
            }

            foreach (var (sub, partition) in keys)
            {
                BeginRestore(_worker._topology.SubTopologies.First(s => s.Name == sub), partition);
            }
        }

        private void OnAssigned(List<TopicPartition> partitions)
        {
            Status.SetPhase(WorkerPhase.Restoring);
            _worker._metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "assigned"));
            foreach (var key in partitions.Select(p => (Sub: _worker._topology.SubTopologyOf(p.Topic), Partition: p.Partition.Value)).DistinctBy(k => (k.Sub.Name, k.Partition)))
            {
                if (!_tasks.ContainsKey((key.Sub.Name, key.Partition)) && !_restoring.ContainsKey((key.Sub.Name, key.Partition)))
                {
                    BeginRestore(key.Sub, key.Partition);
                }
            }

            Status.Assigned(partitions);
            if (_restoring.Count > 0)
            {
                Status.SetPhase(WorkerPhase.Restoring);
            }

            Log.PartitionsAssigned(_worker._logger, _worker._clientId, partitions.Count, _tasks.Count + _restoring.Count);
        }

        private void OnRevoked(List<TopicPartitionOffset> partitions)
        {
            _worker._metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "revoked"));
            // The next owner starts from the committed position and restores from the changelog: make both current.
            Commit();
            Forget(partitions.Select(p => p.TopicPartition));
            Log.PartitionsRevoked(_worker._logger, _worker._clientId, partitions.Count);
        }

        private void OnLost(List<TopicPartitionOffset> partitions)
        {
            _worker._metrics.Rebalances.Add(1, new KeyValuePair<string, object?>("kind", "lost"));
            // Another member may own these already: committing could overwrite its progress. Drop everything uncommitted.
            if (_transactionOpen)
            {
                _producer.AbortTransaction(FlushTimeout);
                _transactionOpen = false;
            }

            _collector.DiscardSent();
            Forget(partitions.Select(p => p.TopicPartition));
            Log.PartitionsLost(_worker._logger, _worker._clientId, partitions.Count);
        }

        private void Forget(IEnumerable<TopicPartition> partitions)
        {
            var released = partitions.ToList();
            foreach (var partition in released)
            {
                _positions.Remove(partition);
                _committed.Remove(partition);
                _paused.Remove(partition);
                CloseTask((_worker._topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value));
                _restoring.Drop((_worker._topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value));
                _waitingSince.Remove((_worker._topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value));
            }

            ForgetBuffered(released);

            Status.Released(released);
        }

        private void ForgetBuffered(IEnumerable<TopicPartition> partitions)
        {
            foreach (var partition in partitions)
            {
                _buffer.Drop(partition);
                _atEnd.Remove(partition);
                if (_full.Remove(partition))
                {
                    _consumer.Resume([partition]);
                }
            }
        }

        /// <summary>
        /// Creates a task whose stores restore in steps between polls (<see cref="RestoreStep"/>), never in the rebalance
        /// callback: a restore of any size leaves the consumer polling. Its records wait in the buffers meanwhile.
        /// </summary>
        private void BeginRestore(SubTopology sub, int partition)
        {
            _restoring.Begin(sub, partition, _stateDirectory is null ? null : TaskLocalState.Open(_stateDirectory, sub, partition, _worker._time));
            Status.SetPhase(WorkerPhase.Restoring);
        }

        private StreamTask NewTask(SubTopology sub, int partition, TaskLocalState? local) =>
            new(_worker._topology, sub, partition, _collector, _worker._streams, _worker._topology.ApplicationId, _worker._metrics, local?.OpenStore);

        /// <summary>One bounded restore step; a task whose stores are all restored starts running.</summary>
        private void RestoreStep()
        {
            var (applied, finished) = _restoring.Step();
            Status.Restored(applied);
            if (finished is null)
            {
                return;
            }

            var task = finished.Task;
            _tasks[finished.Key] = task;
            if (finished.Local is { } local)
            {
                _local[finished.Key] = local;
                local.Checkpoint(task);
            }

            foreach (var observer in _worker._observers)
            {
                foreach (var (name, store) in task.Stores)
                {
                    observer.Restored(name, finished.Key.Partition, store.All());
                }
            }

            if (task.Stores.Count > 0)
            {
                Log.TaskRestored(_worker._logger, finished.Key.Sub, finished.Key.Partition, finished.Records, finished.Elapsed.TotalMilliseconds);
            }

            if (_restoring.Count == 0 && Status.Phase == WorkerPhase.Restoring)
            {
                Status.SetPhase(WorkerPhase.Running);
            }
        }

        private static List<KeyValuePair<string, byte[]>> Headers(Headers? headers)
        {
            if (headers is null || headers.Count == 0)
            {
                return [];
            }

            var list = new List<KeyValuePair<string, byte[]>>(headers.Count);
            foreach (var header in headers)
            {
                list.Add(new(header.Key, header.GetValueBytes()));
            }

            return list;
        }
    }
}
