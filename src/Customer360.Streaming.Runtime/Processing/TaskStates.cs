namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where a task is in its life on a stream thread (Kafka Streams' task states).</summary>
public enum TaskState
{
    /// <summary>Assigned; its stores are opened but not restored.</summary>
    Created,

    /// <summary>Its stores are being restored from their changelogs, between polls; its records wait.</summary>
    Restoring,

    /// <summary>Processing its records.</summary>
    Running,

    /// <summary>Stopped processing: its partitions are leaving, or its uncommitted work is being redone.</summary>
    Suspended,

    /// <summary>Its stores are closed and its files released. A later assignment of the same partition is a new task.</summary>
    Closed,
}

/// <summary>
/// The state of every task of a thread, moved only along the legal transitions: Created → Restoring → Running;
/// Restoring or Running → Suspended; Suspended → Restoring (redo from committed state) or Closed. Anything else is a
/// bug in the thread and throws rather than leave a task half in two states.
/// </summary>
internal sealed class TaskStates
{
    private readonly Dictionary<(string Sub, int Partition), TaskState> _states = [];

    public IReadOnlyDictionary<(string Sub, int Partition), TaskState> All => _states;

    public static bool IsAllowed(TaskState from, TaskState to) => (from, to) switch
    {
        (TaskState.Created, TaskState.Restoring) => true,
        (TaskState.Created, TaskState.Suspended) => true,
        (TaskState.Restoring, TaskState.Running) => true,
        (TaskState.Restoring, TaskState.Suspended) => true,
        (TaskState.Running, TaskState.Suspended) => true,
        (TaskState.Suspended, TaskState.Restoring) => true,
        (TaskState.Suspended, TaskState.Closed) => true,
        _ => false,
    };

    public TaskState? Of((string Sub, int Partition) task) => _states.TryGetValue(task, out var state) ? state : null;

    /// <summary>A task assigned to this thread starts as <see cref="TaskState.Created"/>.</summary>
    public void Create((string Sub, int Partition) task)
    {
        if (_states.TryGetValue(task, out var existing))
        {
            throw new InvalidOperationException($"Task {task.Sub}/{task.Partition} exists already ({existing}).");
        }

        _states[task] = TaskState.Created;
    }

    public void Move((string Sub, int Partition) task, TaskState to)
    {
        if (!_states.TryGetValue(task, out var from))
        {
            throw new InvalidOperationException($"Task {task.Sub}/{task.Partition} is not on this thread; it cannot become {to}.");
        }

        if (!IsAllowed(from, to))
        {
            throw new InvalidOperationException($"Task {task.Sub}/{task.Partition} cannot go from {from} to {to}.");
        }

        if (to == TaskState.Closed)
        {
            _states.Remove(task);
        }
        else
        {
            _states[task] = to;
        }
    }
}
