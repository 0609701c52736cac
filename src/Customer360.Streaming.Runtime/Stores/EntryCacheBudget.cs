namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// How much every RocksDB store of a process may keep decoded in memory, together (<c>Streams:StateCacheMiB</c>), counted
/// by the entries' encoded size; the objects they decode to take several times that on the heap. The budget is divided
/// evenly among the stores open now, and each store's <see cref="EntryCache"/> evicts its own entries (mostly the
/// oldest) past its share, so the total stays within the budget however many tasks the process runs, and no store can
/// starve the others (each is used by its own stream thread only, so none can evict another's). Before, each store
/// kept up to 10,000 entries whatever their size, and the heap grew with the number of tasks. Safe to use from every
/// stream thread.
/// </summary>
public sealed class EntryCacheBudget
{
    private long _usedBytes;
    private int _stores;

    public EntryCacheBudget(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1024 * 1024);
        BudgetBytes = budgetBytes;
    }

    /// <summary>A budget of <paramref name="mebibytes"/> MiB, as <c>Streams:StateCacheMiB</c> gives it.</summary>
    public static EntryCacheBudget OfMebibytes(int mebibytes) => new(mebibytes * 1024L * 1024L);

    public long BudgetBytes { get; }

    /// <summary>The encoded size of every entry the stores keep decoded now.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>What one store may keep: the budget divided among the stores open now.</summary>
    internal long ShareBytes => BudgetBytes / Math.Max(1, Volatile.Read(ref _stores));

    internal void Join() => Interlocked.Increment(ref _stores);

    internal void Leave() => Interlocked.Decrement(ref _stores);

    internal void Charge(long bytes) => Interlocked.Add(ref _usedBytes, bytes);
}
