using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A task whose stores are restored, ready to run: its key, the task, its local state and what restore took.</summary>
internal sealed record RestoredTask((string Sub, int Partition) Key, StreamTask Task, TaskLocalState? Local, long Records, TimeSpan Elapsed);

/// <summary>
/// Restores tasks' stores from their changelogs in bounded steps between the worker's polls, as Kafka Streams'
/// changelog reader does: never inside the rebalance callback, so a restore of any size keeps the worker in its group.
/// Each store is read from after its checkpoint (or from the beginning) to its changelog's end; a changelog that starts
/// later lost state (<see cref="StreamsOptions.OnChangelogTruncated"/>), and a checkpoint beyond a changelog's end
/// wipes the task's local state and starts over.
/// </summary>
internal sealed class ChangelogRestorer(
    KafkaOptions kafka, StreamsOptions streams, StreamTopology topology, TimeProvider time, ILogger logger, StreamsMetrics metrics, string clientId,
    Func<SubTopology, int, TaskLocalState?, StreamTask> newTask, Action<IClient, LogMessage> clientLog) : IDisposable
{
    /// <summary>A restore step ends after this many records or this long, whichever first, and the consumer polls again.</summary>
    private const long RestoreStepRecords = 10_000;

    private static readonly TimeSpan RestoreStepTime = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan RestorePollTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Tasks still restoring, in assignment order.</summary>
    private readonly OrderedDictionary<(string Sub, int Partition), PendingRestore> _restoring = [];

    private IConsumer<byte[]?, byte[]?>? _consumer;

    public int Count => _restoring.Count;

    public bool ContainsKey((string Sub, int Partition) key) => _restoring.ContainsKey(key);

    /// <summary>Creates the task (opening its local stores); its restore runs in later <see cref="Step"/>s.</summary>
    public void Begin(SubTopology sub, int partition, TaskLocalState? local)
    {
        _restoring[(sub.Name, partition)] = new PendingRestore(sub, partition, local, newTask(sub, partition, local), time.GetTimestamp());
        if (local?.UnreadableCheckpoint is { } unreadable)
        {
            Log.UnreadableCheckpoint(logger, sub.Name, partition, unreadable);
        }

        foreach (var (store, reason) in local?.Recreated ?? [])
        {
            Log.CorruptStoreRecreated(logger, sub.Name, partition, store, reason);
        }
    }

    /// <summary>
    /// The task's partitions went elsewhere mid-restore. Its checkpoint still names what it held before, so a later
    /// owner on this machine starts there.
    /// </summary>
    public void Drop((string Sub, int Partition) key)
    {
        if (_restoring.Remove(key, out var pending))
        {
            Close(pending);
        }
    }

    /// <summary>The tasks being restored that a read found damaged: restoring them further would meet the same block.</summary>
    public IReadOnlyList<(string Sub, int Partition)> Damaged =>
        [.. _restoring.Where(r => r.Value.Task.Stores.Values.Any(store => store.Corrupt)).Select(r => r.Key)];

    public void Dispose()
    {
        foreach (var pending in _restoring.Values)
        {
            Close(pending);
        }

        _restoring.Clear();
        _consumer?.Dispose();
    }

    /// <summary>
    /// Restores the first restoring task for a bounded time (and number of records), from each store's checkpoint (or
    /// the beginning) to its changelog's end. Returns the records applied, and the task when every store is done.
    /// </summary>
    public (long Applied, RestoredTask? Finished) Step()
    {
        if (_restoring.Count == 0)
        {
            return (0, null);
        }

        var (key, pending) = _restoring.First();
        var stepStarted = time.GetTimestamp();
        long applied = 0;
        while (pending.StoreIndex < pending.Sub.Stores.Count)
        {
            var store = pending.Sub.Stores[pending.StoreIndex];
            var changelog = new TopicPartition(topology.ChangelogTopic(store), pending.Partition);
            if (pending.Last is null && !StartStore(pending, store, changelog))
            {
                continue;
            }

            var result = Restorer.Consume(RestorePollTimeout);
            // Applying a record another program wrote would stop the task at its first read of the key.
            if (result is not null && Stores.ChangelogRecords.Foreign(result.Message.Key, result.Message.Value) is { } problem)
            {
                pending.PassOver(result.Offset.Value, problem);
                metrics.SkippedRestoreRecords.Add(1, new KeyValuePair<string, object?>("store", store));
            }
            else if (result?.Message.Key is { } keyBytes)
            {
                pending.Task.Restore(store, System.Text.Encoding.UTF8.GetString(keyBytes), result.Message.Value, result.Message.Value is null);
                pending.Records++;
                applied++;
                if (pending.Records % 50_000 == 0)
                {
                    Log.RestoreProgress(logger, changelog.Topic, changelog.Partition.Value, pending.Records, pending.Total);
                }
            }

            // Done when the position passes the last offset, not when a record at it arrives: under exactly_once_v2
            // a changelog can end with a transaction marker, which takes an offset and is never delivered.
            if (result?.Offset.Value >= pending.Last || Restorer.Position(changelog) is { IsSpecial: false } position && position.Value > pending.Last)
            {
                Restorer.Unassign();
                if (pending.PassedOver > 0)
                {
                    Log.ForeignChangelogRecords(logger, store, changelog.Topic, changelog.Partition.Value, pending.PassedOver, pending.FirstPassedOver, pending.FirstProblem!);
                }

                pending.Local?.Restored(store, pending.Last!.Value);
                pending.NextStore();
            }
            else if (result is null && time.GetElapsedTime(pending.StoreStarted) > TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds * 4))
            {
                throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"Restoring {changelog} stalled at {pending.Records} records"));
            }

            if (applied >= RestoreStepRecords || time.GetElapsedTime(stepStarted) >= RestoreStepTime)
            {
                return (applied, null);
            }
        }

        pending.Task.RestoreCompleted();
        _restoring.Remove(key);
        return (applied, new RestoredTask(key, pending.Task, pending.Local, pending.Records, time.GetElapsedTime(pending.Started)));
    }

    /// <summary>
    /// Positions the restorer on a store's changelog: after its checkpoint, or at the beginning. False when there is
    /// nothing to read (the store is done) or when a checkpoint beyond the changelog's end made the task start over.
    /// </summary>
    private bool StartStore(PendingRestore pending, string store, TopicPartition changelog)
    {
        var from = pending.Local?.RestoreFrom(store) ?? 0;
        var watermarks = Restorer.QueryWatermarkOffsets(changelog, TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
        if (from > watermarks.High.Value)
        {
            // A checkpoint beyond a changelog's end belongs to another life of the changelog (recreated, another cluster).
            Log.CheckpointBeyondChangelog(logger, pending.Sub.Name, pending.Partition);
            pending.Task.Close();
            pending.Local!.Wipe();
            pending.Restart(newTask(pending.Sub, pending.Partition, pending.Local));
            return false;
        }

        if (watermarks.Low.Value > from)
        {
            // A changelog that starts after what the store holds lost state: compaction never moves a start.
            metrics.ChangelogTruncations.Add(1, new KeyValuePair<string, object?>("store", store));
            var truncated = new Stores.ChangelogTruncation(store, changelog.Topic, changelog.Partition.Value, watermarks.Low.Value);
            Log.ChangelogTruncated(logger, store, changelog.Topic, changelog.Partition.Value, watermarks.Low.Value, streams.OnChangelogTruncated);
            if (streams.OnChangelogTruncated == ChangelogTruncationPolicy.Fail)
            {
                throw new StreamsFatalException(truncated.Explanation);
            }

            from = watermarks.Low.Value;
        }

        var last = watermarks.High.Value - 1;
        if (last < from)
        {
            pending.Local?.Restored(store, from - 1);
            pending.NextStore();
            return false;
        }

        Restorer.Assign(new TopicPartitionOffset(changelog, from));
        pending.Last = last;
        pending.Total += last - from + 1;
        pending.StoreStarted = time.GetTimestamp();
        return true;
    }

    /// <summary>Closes a task before it finished restoring; one found damaged leaves no checkpoint, so its next start wipes it.</summary>
    private static void Close(PendingRestore pending)
    {
        pending.Local?.ForgetIfDamaged(pending.Task);
        pending.Task.Close();
    }

    /// <summary>Assign-only consumer (never joins the group) reused for every restore of this session.</summary>
    private IConsumer<byte[]?, byte[]?> Restorer => _consumer ??= new ConsumerBuilder<byte[]?, byte[]?>(
        KafkaClientConfigs.Consumer(kafka, $"{topology.ApplicationId}-restore", $"{clientId}-restore")).SetLogHandler(clientLog).Build();

    /// <summary>A task whose stores are being restored, and how far.</summary>
    private sealed class PendingRestore(SubTopology sub, int partition, TaskLocalState? local, StreamTask task, long started)
    {
        public SubTopology Sub { get; } = sub;

        public int Partition { get; } = partition;

        public TaskLocalState? Local { get; } = local;

        public StreamTask Task { get; private set; } = task;

        public long Started { get; } = started;

        /// <summary>The store being restored (an index into the sub-topology's stores).</summary>
        public int StoreIndex { get; set; }

        /// <summary>The last changelog offset to read of the current store, or null before it is positioned.</summary>
        public long? Last { get; set; }

        public long StoreStarted { get; set; }

        public long Records { get; set; }

        /// <summary>Records to restore across the stores positioned so far, for progress.</summary>
        public long Total { get; set; }

        /// <summary>Records of the current store's changelog passed over as foreign, the first one's offset and why.</summary>
        public long PassedOver { get; private set; }

        public long FirstPassedOver { get; private set; }

        public string? FirstProblem { get; private set; }

        public void PassOver(long offset, string problem)
        {
            if (PassedOver++ == 0)
            {
                (FirstPassedOver, FirstProblem) = (offset, problem);
            }
        }

        /// <summary>Moves on to the next store.</summary>
        public void NextStore()
        {
            Last = null;
            StoreIndex++;
            PassedOver = 0;
        }

        /// <summary>Starts over with a new task (after the local state was wiped).</summary>
        public void Restart(StreamTask fresh)
        {
            Task = fresh;
            StoreIndex = 0;
            Last = null;
            PassedOver = 0;
        }
    }
}
