using Confluent.Kafka;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The tasks of one stream thread through their lives (Kafka Streams' TaskManager): created on assignment, restored
/// in bounded steps between polls by the <see cref="ChangelogRestorer"/>, running, then suspended and closed when their
/// partitions leave, or suspended and restored again when uncommitted work must be redone. Each move is checked by
/// <see cref="TaskStates"/>. It also keeps each task's local state (RocksDB and checkpoint) in step with commits, and
/// shows the running tasks' stores to commit observers.
/// </summary>
internal sealed class TaskManager(StreamTopology topology, ChangelogRestorer restorer, LocalStateRoot? localState, TimeProvider time) : IDisposable, IOwnedStores
{
    private readonly TaskStates _states = new();
    private readonly Dictionary<(string Sub, int Partition), StreamTask> _running = [];
    private readonly Dictionary<(string Sub, int Partition), TaskLocalState> _local = [];

    public IReadOnlyDictionary<(string Sub, int Partition), StreamTask> Running => _running;

    /// <summary>The running tasks' ids as a list, made again only when a task starts or ends (the thread asks per record).</summary>
    public IReadOnlyList<(string Sub, int Partition)> RunningIds => _runningIds ??= [.. _running.Keys];

    private List<(string Sub, int Partition)>? _runningIds;

    public IReadOnlyDictionary<(string Sub, int Partition), TaskState> States => _states.All;

    public int RestoringCount => restorer.Count;

    public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) =>
        _running.Values.Where(t => t.Stores.ContainsKey(store)).SelectMany(t => t.Store(store).All());

    public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, StateSerde<T> serde)
        where T : class =>
        _running.Values.Where(t => t.Stores.ContainsKey(store)).SelectMany(t => t.Store(store).AllDecoded(serde));

    public T? Current<T>(string store, int partition, string key, StateSerde<T> serde)
        where T : class =>
        _running.Values.FirstOrDefault(t => t.Partition == partition && t.Stores.ContainsKey(store))?.Store(store).GetDecoded(key, serde);

    /// <summary>Creates a task for each new (sub-topology, partition) of <paramref name="partitions"/> and starts its restore.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        var added = new List<(SubTopology Sub, int Partition)>();
        foreach (var (sub, partition) in partitions.Select(p => (Sub: topology.SubTopologyOf(p.Topic), Partition: p.Partition.Value)).DistinctBy(k => (k.Sub.Name, k.Partition)))
        {
            var key = (sub.Name, partition);
            if (_states.Of(key) is null)
            {
                _states.Create(key);
                added.Add((sub, partition));
            }
        }

        BeginRestore(added);
    }

    /// <summary>One bounded restore step; a task whose stores are all restored starts running and is returned.</summary>
    public (long Applied, RestoredTask? Finished) RestoreStep()
    {
        var (applied, finished) = restorer.Step();
        if (finished is null)
        {
            return (applied, null);
        }

        _states.Move(finished.Key, TaskState.Running);
        _running[finished.Key] = finished.Task;
        _runningIds = null;
        if (finished.Local is { } local)
        {
            _local[finished.Key] = local;
            local.Checkpoint(finished.Task);
        }

        return (applied, finished);
    }

    /// <summary>The task of <paramref name="partition"/> leaves this thread: suspended, checkpointed and closed.</summary>
    public void Release(TopicPartition partition)
    {
        var key = (topology.SubTopologyOf(partition.Topic).Name, partition.Partition.Value);
        if (_states.Of(key) is null)
        {
            return; // Another source partition of the same task released it already.
        }

        Suspend(key);
        _states.Move(key, TaskState.Closed);
    }

    /// <summary>
    /// Redo from committed state (an aborted transaction, or a store found damaged): every running task is suspended,
    /// closed and restored again, with any restoring one found damaged. Local stores hold only committed changes, so
    /// they restore from their checkpoints; a damaged task has none left, so it is wiped and restored from the start.
    /// </summary>
    public void RestoreAllFromCommitted()
    {
        var suspended = _running.Keys.Concat(restorer.Damaged).ToList();
        foreach (var key in suspended)
        {
            Suspend(key);
        }

        BeginRestore([.. suspended.Select(key => (topology.SubTopologies.First(s => s.Name == key.Sub), key.Partition))]);
    }

    /// <summary>The changelog acknowledged what the tasks flushed: local stores write it and checkpoint now and then.</summary>
    public void ChangesDurable(Func<TopicPartition, long?> acknowledged)
    {
        foreach (var (key, task) in _running)
        {
            if (_local.TryGetValue(key, out var local))
            {
                local.Committed(task, acknowledged, topology.ChangelogTopic);
            }
            else
            {
                task.ChangesDurable();
            }
        }
    }

    public void Dispose()
    {
        foreach (var key in _running.Keys.ToList())
        {
            Suspend(key);
            _states.Move(key, TaskState.Closed);
        }

        restorer.Dispose();
    }

    /// <summary>Starts restoring these tasks, with their local stores (if any) opened together first.</summary>
    private void BeginRestore(List<(SubTopology Sub, int Partition)> tasks)
    {
        var locals = tasks.Select(t => localState is null ? null : TaskLocalState.Open(localState, t.Sub, t.Partition, time)).ToList();
        TaskLocalState.OpenTogether([.. tasks.Zip(locals).Where(t => t.Second is not null).SelectMany(t => t.First.Sub.Stores.Select(store => (t.Second!, store)))]);
        var begun = 0;
        try
        {
            for (; begun < tasks.Count; begun++)
            {
                _states.Move((tasks[begun].Sub.Name, tasks[begun].Partition), TaskState.Restoring);
                restorer.Begin(tasks[begun].Sub, tasks[begun].Partition, locals[begun]);
            }
        }
        catch
        {
            // A task that could not be made fails the thread; the ones after it never took their databases.
            foreach (var local in locals.Skip(begun))
            {
                local?.CloseUntakenDatabases();
            }

            throw;
        }
    }

    /// <summary>Stops the task: a running one records how far its local stores are and releases their files; a restoring one stops restoring.</summary>
    private void Suspend((string Sub, int Partition) key)
    {
        _states.Move(key, TaskState.Suspended);
        if (_running.Remove(key, out var task))
        {
            _runningIds = null;
            if (_local.Remove(key, out var local))
            {
                local.Checkpoint(task);
            }

            task.Close();
        }
        else
        {
            restorer.Drop(key);
        }
    }
}
