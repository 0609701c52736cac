namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One key a commit made durable in a store: its changelog record was acknowledged. Coalesced, so a key changed many
/// times between two commits appears once. The value is read from the task's store (<see cref="IOwnedStores.Current{T}"/>),
/// not carried here, so nothing the commit sent is kept for it.
/// </summary>
/// <param name="Deleted">The change was a tombstone: the key is gone from the store.</param>
/// <param name="CausedAtMs">
/// The timestamp of the newest input record whose processing changed the key since the last commit, or
/// <see cref="NoInputRecord"/> when only timers (punctuations) changed it: what freshness is measured from.
/// </param>
public readonly record struct StoreChange(string Store, int Partition, string Key, bool Deleted, long CausedAtMs)
{
    /// <summary>No input record changed the key: a timer did.</summary>
    public const long NoInputRecord = -1;
}
