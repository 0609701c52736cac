using System.Runtime.InteropServices;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// In-memory store of one task, mirrored to a changelog partition. Changes are coalesced until the next commit:
/// only the latest value per key is written, as Kafka Streams' record cache does. Values put as objects
/// (<see cref="PutDecoded"/>) are encoded then, once, however many records changed them in between.
/// </summary>
public sealed class InMemoryKeyValueStore : IChangeloggedStore
{
    private readonly Dictionary<string, StoreEntry> _entries = new(StringComparer.Ordinal);
    /// <summary>Keys changed since the last <see cref="TakeChanges"/>, with the newest cause of each.</summary>
    private readonly Dictionary<string, long> _dirty = new(StringComparer.Ordinal);
    private readonly Func<RecordOrigin?> _currentOrigin;
    private readonly Func<long> _currentTimestampMs;

    /// <param name="currentTimestampMs">The input record being processed's timestamp, or <see cref="StoreChange.NoInputRecord"/> (default: never known).</param>
    internal InMemoryKeyValueStore(string name, Func<RecordOrigin?> currentOrigin, Func<long>? currentTimestampMs = null)
    {
        Name = name;
        _currentOrigin = currentOrigin;
        _currentTimestampMs = currentTimestampMs ?? (static () => StoreChange.NoInputRecord);
    }

    public string Name { get; }

    /// <summary>Entries, without the runtime's reserved keys.</summary>
    public int Count => _entries.Keys.Count(k => !ChangelogRecords.IsRuntimeKey(k));

    /// <summary>Keys changed since the last <see cref="TakeChanges"/>.</summary>
    public int PendingChanges => _dirty.Count;

    public byte[]? Get(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    public void Put(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Changed(key, value).Value = value;
    }

    public T? GetDecoded<T>(string key, StateSerde<T> serde)
        where T : class => _entries.TryGetValue(key, out var entry) ? entry.Decoded(serde) : null;

    public void PutDecoded<T>(string key, T value, StateSerde<T> serde)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        Changed(key, []).SetDecoded(value, serde);
    }

    public IEnumerable<KeyValuePair<string, T>> AllDecoded<T>(StateSerde<T> serde)
        where T : class =>
        _entries.Where(e => !ChangelogRecords.IsRuntimeKey(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, e.Value.Decoded(serde)));

    /// <summary>The key's entry (created when new), marked dirty and applied for the current input's origin.</summary>
    private StoreEntry Changed(string key, byte[] initial)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new StoreEntry(initial, new Dictionary<string, long>(StringComparer.Ordinal));
            _entries[key] = entry;
        }

        entry.MarkApplied(_currentOrigin());
        MarkDirty(key);
        return entry;
    }

    public void Delete(string key)
    {
        _entries.Remove(key);
        MarkDirty(key);
    }

    private void MarkDirty(string key)
    {
        ref var cause = ref CollectionsMarshal.GetValueRefOrAddDefault(_dirty, key, out var known);
        cause = TakenChange.Newest(known, cause, _currentTimestampMs());
    }

    public bool HasApplied(string key) => _entries.TryGetValue(key, out var entry) && entry.HasApplied(_currentOrigin());

    public IEnumerable<KeyValuePair<string, byte[]>> All() =>
        _entries.Where(e => !ChangelogRecords.IsRuntimeKey(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, e.Value.Value));


    /// <summary>The coalesced changelog records since the last call (null value = tombstone), and forgets them.</summary>
    public IReadOnlyList<TakenChange> TakeChanges()
    {
        var changes = new List<TakenChange>(_dirty.Count);
        foreach (var (key, cause) in _dirty)
        {
            changes.Add(new TakenChange(key, _entries.TryGetValue(key, out var entry) ? entry.Encode() : null, cause));
        }

        _dirty.Clear();
        return changes;
    }

    /// <summary>Nothing to do: the changelog is this store's only durable copy.</summary>
    public void ChangesDurable()
    {
    }

    /// <summary>Applies one changelog record during restore.</summary>
    public void Restore(string key, ReadOnlySpan<byte> value, bool tombstone)
    {
        if (tombstone)
        {
            _entries.Remove(key);
        }
        else
        {
            _entries[key] = StoreEntry.Decode(value);
        }
    }

    /// <summary>Drops the bookkeeping of changes restore made: they came from the changelog.</summary>
    public void RestoreCompleted() => _dirty.Clear();

    public void Sync()
    {
    }

    public void Dispose()
    {
    }
}
