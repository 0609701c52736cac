using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>One coalesced change a store gives its changelog at commit.</summary>
/// <param name="Value">The changelog value (the entry with its applied offsets); null for a tombstone.</param>
/// <param name="CausedAtMs">The newest input record's timestamp among those that changed the key, or <see cref="StoreChange.NoInputRecord"/>.</param>
public readonly record struct TakenChange(string Key, byte[]? Value, long CausedAtMs)
{
    public void Deconstruct(out string key, out byte[]? value)
    {
        key = Key;
        value = Value;
    }

    /// <summary>The cause of a key changed again: the newer of the two (a timer's change names none, so it never wins).</summary>
    internal static long Newer(long earlierCause, long cause) => Math.Max(earlierCause, cause);
}
