namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A task's store as the runtime drives it: changes taken for the changelog at commit, made durable locally once
/// the changelog has them, and restored from the changelog. Processors see only <see cref="IKeyValueStore"/>.
/// </summary>
public interface IChangeloggedStore : IKeyValueStore, IDisposable
{
    /// <summary>Keys changed since the last <see cref="TakeChanges"/>.</summary>
    int PendingChanges { get; }

    /// <summary>The coalesced changelog records since the last call (null value = tombstone), each with its cause's time.</summary>
    IReadOnlyList<TakenChange> TakeChanges();

    /// <summary>
    /// The changelog acknowledged what <see cref="TakeChanges"/> took: a persistent store writes it now, never before,
    /// so it is never ahead of its changelog.
    /// </summary>
    void ChangesDurable();

    /// <summary>Applies one changelog record during restore.</summary>
    void Restore(string key, ReadOnlySpan<byte> value, bool tombstone);

    /// <summary>Restore is over: what it applied is written, and nothing restored is pending for the changelog.</summary>
    void RestoreCompleted();

    /// <summary>Makes what was written survive a machine crash, before a checkpoint names it (nothing to do in memory).</summary>
    void Sync();

    /// <summary>A read found the store's files damaged: its task must not checkpoint it, so wherever the task next starts (this thread, after it redoes what it had not committed, or another process) it is wiped and restored from the changelog.</summary>
    bool Corrupt => false;
}
