using System.Diagnostics.CodeAnalysis;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// One store's entries kept decoded after a read or a commit, so the next record of the same key neither reads RocksDB
/// nor decodes again; within its share of the process's <see cref="EntryCacheBudget"/>. Used by its store's stream
/// thread only.
/// </summary>
internal sealed class EntryCache
{
    /// <summary>
    /// Evicting frees this part of the share beyond what is over it, so a store written to steadily evicts now and then
    /// rather than at every entry (each eviction walks the oldest entries once).
    /// </summary>
    private const int HeadroomDivisor = 16;

    private readonly EntryCacheBudget _budget;

    /// <summary>Each entry with the bytes charged for it when kept (its value may change size after).</summary>
    private readonly Dictionary<string, (StoreEntry Entry, int Bytes)> _entries = new(StringComparer.Ordinal);

    private bool _closed;

    public EntryCache(EntryCacheBudget budget)
    {
        _budget = budget;
        budget.Join();
    }

    /// <summary>The bytes this store's entries are charged for.</summary>
    public long Bytes { get; private set; }

    public bool TryGet(string key, [NotNullWhen(true)] out StoreEntry? entry)
    {
        var found = _entries.TryGetValue(key, out var kept);
        entry = kept.Entry;
        return found;
    }

    public StoreEntry? GetValueOrDefault(string key) => _entries.TryGetValue(key, out var kept) ? kept.Entry : null;

    /// <summary>Keeps <paramref name="entry"/>, whose value is <paramref name="valueBytes"/> long encoded; then evicts this store's entries past its share (<see cref="Evict"/>).</summary>
    public void Remember(string key, StoreEntry entry, int valueBytes)
    {
        var bytes = (key.Length * sizeof(char)) + valueBytes;
        Forget(key);
        _entries[key] = (entry, bytes);
        Charge(bytes);
        var share = _budget.ShareBytes;
        if (Bytes > share)
        {
            Evict(Bytes - share + (share / HeadroomDivisor), keep: key);
        }
    }

    public void Forget(string key)
    {
        if (_entries.Remove(key, out var kept))
        {
            Charge(-kept.Bytes);
        }
    }

    /// <summary>Gives back everything this store kept, and its share to the others (it closes); once, however often called.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Charge(-Bytes);
        _entries.Clear();
        _budget.Leave();
    }

    /// <summary>
    /// Removes entries but <paramref name="keep"/>, first in the dictionary's order, until <paramref name="bytes"/> are
    /// freed or none is left. That order is mostly the oldest first: a slot an entry left is reused by the next one kept.
    /// </summary>
    private void Evict(long bytes, string keep)
    {
        var evicted = new List<string>();
        long freed = 0;
        foreach (var (key, kept) in _entries)
        {
            if (freed >= bytes)
            {
                break;
            }

            if (!string.Equals(key, keep, StringComparison.Ordinal))
            {
                evicted.Add(key);
                freed += kept.Bytes;
            }
        }

        evicted.ForEach(Forget);
    }

    private void Charge(long bytes)
    {
        Bytes += bytes;
        _budget.Charge(bytes);
    }
}
