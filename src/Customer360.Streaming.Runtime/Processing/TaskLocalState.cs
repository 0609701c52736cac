using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Stores;
using RocksDbSharp;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What one task keeps on this machine between runs: its RocksDB stores and the checkpoint naming, per store, the last
/// changelog offset they hold. A task restores from the record after it. Local stores are written only after their
/// changelog records are acknowledged, so a checkpoint is valid under both guarantees and after a killed process:
/// restore at worst re-applies records the stores already hold, which overwrite with the same values.
/// </summary>
internal sealed class TaskLocalState
{
    /// <summary>Changelog records between two checkpoints (Kafka Streams' threshold): each one syncs the stores to disk.</summary>
    public const long CheckpointEveryRecords = 10_000;

    /// <summary>
    /// The longest a change waits for a checkpoint. Bounds what a restart replays by time as well, and keeps the
    /// checkpoint ahead of a broker that deletes old changelog records by size (the embedded one keeps ~5 MiB).
    /// </summary>
    public static readonly TimeSpan CheckpointAtLeastEvery = TimeSpan.FromSeconds(10);

    /// <summary>Databases opened side by side; beyond a few, the opens only queue for the disk and the cores.</summary>
    private const int OpenConcurrency = 8;

    private readonly TaskStateDirectory _directory;
    private readonly RocksDbMemory _memory;
    private readonly Dictionary<string, RocksDb> _opened = new(StringComparer.Ordinal);
    private readonly int _partition;
    private readonly Dictionary<string, long> _offsets;
    private readonly List<(string Store, string Reason)> _recreated = [];
    private readonly TimeProvider _time;
    private long _sinceCheckpoint;
    private long _checkpointedAt;

    private TaskLocalState(TaskStateDirectory directory, RocksDbMemory memory, int partition, Dictionary<string, long> offsets, TimeProvider time)
    {
        _directory = directory;
        _memory = memory;
        _partition = partition;
        _offsets = offsets;
        _time = time;
        _checkpointedAt = time.GetTimestamp();
    }

    /// <summary>Opens the task's folder; without a checkpoint its files cannot be trusted, so they are wiped.</summary>
    public static TaskLocalState Open(LocalStateRoot root, SubTopology sub, int partition, TimeProvider time)
    {
        var directory = new TaskStateDirectory(root.Directory, sub.Name, partition);
        if (directory.ReadCheckpoint(out var unreadable) is { } checkpoint)
        {
            return new TaskLocalState(directory, root.Memory, partition, new Dictionary<string, long>(checkpoint, StringComparer.Ordinal), time);
        }

        directory.Wipe();
        return new TaskLocalState(directory, root.Memory, partition, new Dictionary<string, long>(StringComparer.Ordinal), time)
        {
            UnreadableCheckpoint = unreadable,
        };
    }

    /// <summary>Why the task's checkpoint file could not be read, which wiped its stores; null when there was none or it was read.</summary>
    public string? UnreadableCheckpoint { get; private init; }

    /// <summary>A store of this task, over its database from <see cref="OpenTogether"/> when that opened it, else opened now.</summary>
    public Func<string, Func<RecordOrigin?>, Func<long>, IChangeloggedStore> OpenStore =>
        (store, origin, timestamp) => _opened.Remove(store, out var database)
            ? new RocksDbKeyValueStore(store, database, origin, timestamp, _memory.EntryCache)
            : new RocksDbKeyValueStore(store, OpenDatabase(store), origin, timestamp, _memory.EntryCache);

    /// <summary>Stores whose files RocksDB called corrupt when they were opened, with its reason: each was recreated empty.</summary>
    public IReadOnlyList<(string Store, string Reason)> Recreated
    {
        get
        {
            lock (_recreated)
            {
                return [.. _recreated];
            }
        }
    }

    /// <summary>
    /// Opens the RocksDB databases of several tasks' stores at once, before their tasks are made. An assignment brings
    /// dozens (the product's 12 tasks hold 36 stores), and each open costs 10–20 ms here, mostly syncing new files to
    /// disk: one after the other they held the stream thread for 400–700 ms, side by side for about two thirds of that.
    /// When one fails (a folder another process holds), the ones already opened are closed before the error is thrown,
    /// so none keeps its lock.
    /// </summary>
    public static void OpenTogether(IReadOnlyList<(TaskLocalState Local, string Store)> stores)
    {
        var databases = new RocksDb?[stores.Count];
        try
        {
            Parallel.For(0, stores.Count, new ParallelOptions { MaxDegreeOfParallelism = OpenConcurrency }, i =>
                databases[i] = stores[i].Local.OpenDatabase(stores[i].Store));
        }
        catch (AggregateException ex)
        {
            foreach (var database in databases)
            {
                database?.Dispose();
            }

            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        for (var i = 0; i < stores.Count; i++)
        {
            stores[i].Local._opened[stores[i].Store] = databases[i]!;
        }
    }

    /// <summary>
    /// Opens a store's database. One whose files RocksDB calls corrupt (torn, truncated or edited) is deleted, created
    /// again empty and loses its checkpointed offset: its changelog holds all it held, so restore reads that from the
    /// beginning (and a changelog that no longer starts there is reported as lost state, as for any restore). Other
    /// failures (a folder another process holds, a full disk) are not the files' fault and stop the thread as before.
    /// </summary>
    private RocksDb OpenDatabase(string store)
    {
        var path = _directory.StorePath(store);
        try
        {
            return RocksDbKeyValueStore.OpenDatabase(store, path, _memory);
        }
        catch (RocksDbException ex) when (ex.Message.StartsWith("Corruption", StringComparison.Ordinal))
        {
            Directory.Delete(path, recursive: true);
            lock (_recreated)
            {
                // Under the lock: the stores of one task open side by side (OpenTogether).
                _offsets.Remove(store);
                _recreated.Add((store, ex.Message));
            }

            return RocksDbKeyValueStore.OpenDatabase(store, path, _memory);
        }
    }

    /// <summary>Its task was never made: closes the databases opened for it that no store took, so none keeps its folder locked.</summary>
    public void CloseUntakenDatabases()
    {
        foreach (var database in _opened.Values)
        {
            database.Dispose();
        }

        _opened.Clear();
    }

    /// <summary>The changelog offset restore starts at: after the checkpointed one, or the beginning.</summary>
    public long RestoreFrom(string store) => _offsets.TryGetValue(store, out var offset) ? offset + 1 : 0;

    /// <summary>Restore brought <paramref name="store"/> up to <paramref name="lastOffset"/> (−1: its changelog is empty).</summary>
    public void Restored(string store, long lastOffset)
    {
        if (lastOffset >= 0)
        {
            _offsets[store] = lastOffset;
        }
    }

    /// <summary>The checkpoint no longer matches the changelogs (recreated, or another cluster): start from nothing.</summary>
    public void Wipe()
    {
        _directory.Wipe();
        _offsets.Clear();
    }

    /// <summary>
    /// A commit made the task's changelog records durable: the stores write them, and every
    /// <see cref="CheckpointEveryRecords"/> records (or <see cref="CheckpointAtLeastEvery"/>) a checkpoint records how far they are.
    /// </summary>
    public void Committed(StreamTask task, Func<TopicPartition, long?> acknowledged, Func<string, string> changelogTopic)
    {
        task.ChangesDurable();
        foreach (var store in task.Stores.Keys)
        {
            if (acknowledged(new TopicPartition(changelogTopic(store), _partition)) is { } offset && offset > _offsets.GetValueOrDefault(store, -1))
            {
                _sinceCheckpoint += offset - _offsets.GetValueOrDefault(store, -1);
                _offsets[store] = offset;
            }
        }

        if (_sinceCheckpoint >= CheckpointEveryRecords || (_sinceCheckpoint > 0 && _time.GetElapsedTime(_checkpointedAt) >= CheckpointAtLeastEvery))
        {
            Checkpoint(task);
        }
    }

    /// <summary>
    /// Syncs the stores to disk, then writes the checkpoint: after restore, and when the task closes. A store a read
    /// found damaged gets no checkpoint (<see cref="ForgetIfDamaged"/>).
    /// </summary>
    public void Checkpoint(StreamTask task)
    {
        if (ForgetIfDamaged(task))
        {
            return;
        }

        task.Sync();
        _directory.WriteCheckpoint(_offsets);
        _sinceCheckpoint = 0;
        _checkpointedAt = _time.GetTimestamp();
    }

    /// <summary>
    /// When a read found one of the task's stores damaged, deletes its checkpoint and returns true: the task's next
    /// start (in this thread or another process) wipes its stores and restores them from the changelogs.
    /// </summary>
    public bool ForgetIfDamaged(StreamTask task)
    {
        if (!task.Stores.Values.Any(store => store.Corrupt))
        {
            return false;
        }

        _directory.DeleteCheckpoint();
        _offsets.Clear();
        _sinceCheckpoint = 0;
        return true;
    }
}
