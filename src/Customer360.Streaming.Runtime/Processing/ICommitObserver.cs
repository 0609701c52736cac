namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Told what a commit made durable, after it succeeded: the place for side effects outside Kafka (Redis), which must
/// then be idempotent because a crash before the next commit replays them.
/// </summary>
public interface ICommitObserver
{
    /// <param name="changes">The store keys the commit made durable (one per key, runtime bookkeeping left out).</param>
    /// <param name="owned">The stores of the tasks this worker owns now: the changed values, and everything for an observer that must re-assert all.</param>
    void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned);

    /// <summary>
    /// A commit interval passed with nothing to commit: the stores hold exactly what the last commit made durable. Work
    /// an observer keeps for its next commit (re-asserting everything after its store came back empty) is done here
    /// instead, so a thread with no records to process does not put it off until its next one.
    /// </summary>
    void Idle(IOwnedStores owned)
    {
    }

    /// <summary>
    /// Told a store's contents after a task restored it from its changelog. A process that crashed after a commit but
    /// before its side effects finished left them undone; re-applying the restored state (idempotently) finishes them.
    /// </summary>
    void Restored(string store, int partition, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
    }

    /// <summary>
    /// Why the observer cannot apply what commits make durable (the store it writes to is unreachable), or null. While
    /// an observer is unavailable its stream thread holds processing: records wait in their bounded buffers, polling
    /// (and so group membership) goes on, readiness says why, and <see cref="Recover"/> is called now and then.
    /// </summary>
    string? Unavailable => null;

    /// <summary>
    /// How many times the store came back (its client reconnected). A new one since the hold last called
    /// <see cref="Recover"/> makes it call again at once rather than at its backoff's end, once per reconnect.
    /// </summary>
    long Reconnections => 0;

    /// <summary>Tries again, on the stream thread, with a bounded wait: re-applies whatever was missed while unavailable.</summary>
    void Recover(IOwnedStores owned)
    {
    }
}

/// <summary>The current contents of a store across the partitions a worker owns. Read it on the worker's thread only.</summary>
public interface IOwnedStores
{
    IEnumerable<KeyValuePair<string, byte[]>> Entries(string store);

    /// <summary>Every entry of a store across the owned partitions, as objects (decoded once, or as the processor put them).</summary>
    IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, Stores.StateSerde<T> serde)
        where T : class;

    /// <summary>
    /// The value of <paramref name="key"/> in partition <paramref name="partition"/> of a store as the task holds it
    /// now: the object the processor put, so a changelog record need not be decoded again. Null when the key is gone.
    /// </summary>
    T? Current<T>(string store, int partition, string key, Stores.StateSerde<T> serde)
        where T : class;
}
