using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>One coalesced change a store gives its changelog at commit.</summary>
/// <param name="Value">The changelog value (the entry with its applied offsets); null for a tombstone.</param>
/// <param name="CausedAtMs">The newest input record's timestamp among those that changed the key, or <see cref="StoreChange.NoInputRecord"/>.</param>
public readonly record struct TakenChange(string Key, byte[]? Value, long CausedAtMs)
{
    /// <summary>
    /// The cause of a key's latest change: <paramref name="cause"/> for its first since the last commit, else the newer
    /// of the two (a timer's change names none, so it never wins). A new key's slot holds 0, which is not a cause.
    /// </summary>
    internal static long Newest(bool changedBefore, long earlierCause, long cause) => changedBefore ? Math.Max(earlierCause, cause) : cause;
}
