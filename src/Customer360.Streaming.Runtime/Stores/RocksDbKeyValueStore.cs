using System.Runtime.InteropServices;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using RocksDbSharp;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A task's store on disk (RocksDB), mirrored to its changelog partition. Each value is kept as its changelog value
/// (the entry with its applied offsets), so restore writes changelog records as they are. Changes live in memory until
/// the changelog has acknowledged them and only then reach RocksDB: the local store is never ahead of its changelog,
/// so the replay guard never skips a record whose change a crash lost. Recently used entries stay decoded in a cache
/// within the process's <see cref="EntryCacheBudget"/>; everything else is read from RocksDB (its block cache) when needed.
/// </summary>
public sealed class RocksDbKeyValueStore : IChangeloggedStore
{
    /// <summary>
    /// Memtable size per store (RocksDB's default is 64 MiB). A processor holds a store per store name per task, dozens
    /// of them: at two memtables each, this bounds them to 16 MiB per store, as Kafka Streams keeps its own small.
    /// </summary>
    private const ulong WriteBufferBytes = 8 * 1024 * 1024;

    /// <summary>
    /// RocksDB's own info logs (LOG, LOG.old.*) kept per store, each rolled at <see cref="InfoLogBytes"/>: its defaults
    /// keep 1,000, a new one at every open, and never roll one by size.
    /// </summary>
    internal const int InfoLogsKept = 3;

    private const ulong InfoLogBytes = 1024 * 1024;

    /// <summary>Restored records per RocksDB write batch.</summary>
    private const int RestoreBatch = 10_000;

    private readonly RocksDb _db;
    private readonly Func<RecordOrigin?> _currentOrigin;
    private readonly Func<long> _currentTimestampMs;

    /// <summary>Commits write without waiting for the disk: the WAL survives a killed process in the page cache.</summary>
    private readonly WriteOptions _unsynced = new WriteOptions().SetSync(false);

    /// <summary>Before a checkpoint names an offset, one synced write makes the WAL durable up to it.</summary>
    private readonly WriteOptions _synced = new WriteOptions().SetSync(true);

    private static readonly byte[] SyncMarkerKey = Encoding.UTF8.GetBytes("\0store:synced");

    /// <summary>Changed since the last <see cref="TakeChanges"/> (a null entry = deleted), with the newest cause of each.</summary>
    private readonly Dictionary<string, (StoreEntry? Entry, long CausedAtMs)> _changed = new(StringComparer.Ordinal);

    /// <summary>Taken for the changelog, not yet acknowledged: the key and its changelog value (null = tombstone).</summary>
    private readonly Dictionary<string, (StoreEntry? Entry, byte[]? Encoded)> _pending = new(StringComparer.Ordinal);

    /// <summary>Clean entries kept decoded (they stay in RocksDB too).</summary>
    private readonly EntryCache _cache;

    /// <summary>
    /// The key looked at last and its entry (null: none). A processor asks about one key several times per record (is
    /// it a replay, read it, change it), and each look otherwise hashed the key into up to three dictionaries again.
    /// Forgotten whenever the dictionaries change in a way that could move the key.
    /// </summary>
    private string? _lastKey;
    private StoreEntry? _lastEntry;
    private WriteBatch? _restoring;
    private int _restoringCount;

    /// <param name="currentTimestampMs">The input record being processed's timestamp, or <see cref="StoreChange.NoInputRecord"/> (default: never known).</param>
    /// <param name="memory">The memory it shares with other stores; default: RocksDB's own block cache and memtables, and a decoded-entry budget, for this store alone.</param>
    public RocksDbKeyValueStore(string name, string path, Func<RecordOrigin?> currentOrigin, Func<long>? currentTimestampMs = null, RocksDbMemory? memory = null)
        : this(name, OpenDatabase(name, path, memory), currentOrigin, currentTimestampMs, memory?.EntryCache)
    {
    }

    /// <summary>A store over a database already opened by <see cref="OpenDatabase"/>, which it now owns.</summary>
    /// <param name="entryCache">The budget its decoded entries share with other stores; default: one of its own.</param>
    internal RocksDbKeyValueStore(
        string name, RocksDb database, Func<RecordOrigin?> currentOrigin, Func<long>? currentTimestampMs = null, EntryCacheBudget? entryCache = null)
    {
        Name = name;
        _db = database;
        _cache = new EntryCache(entryCache ?? EntryCacheBudget.OfMebibytes(RocksDbMemory.DefaultEntryCacheMiB));
        _currentOrigin = currentOrigin;
        _currentTimestampMs = currentTimestampMs ?? (static () => StoreChange.NoInputRecord);
    }

    /// <summary>Opens (or creates) the database of store <paramref name="name"/> at <paramref name="path"/>; a folder another process holds is fatal.</summary>
    internal static RocksDb OpenDatabase(string name, string path, RocksDbMemory? memory)
    {
        Directory.CreateDirectory(path);
        try
        {
            // The WAL stays on (unlike Kafka Streams): it carries commits across a killed process, and is synced before a
            // checkpoint names their changelog offsets. An incomplete record at its end (a write a crash cut short) is
            // dropped, as it was never synced; damage before its end fails the open as corruption, and the store is
            // recreated and restored. RocksDB's default replays up to the damage and drops the rest without an error,
            // which left the store behind its checkpoint.
            var options = new DbOptions().SetCreateIfMissing(true).SetWriteBufferSize(WriteBufferBytes).SetMaxWriteBufferNumber(2)
                .SetKeepLogFileNum(InfoLogsKept).SetMaxLogFileSize(InfoLogBytes).SetWalRecoveryMode(Recovery.TolerateCorruptedTailRecords);
            return RocksDb.Open(memory?.Share(options) ?? options, path);
        }
        catch (RocksDbException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new StreamsFatalException(
                $"Store '{name}' at {path} is open in another process (or worker) on this machine. Give each process its own Streams:StateDirectory.", ex);
        }
    }

    public string Name { get; }

    public int Count => All().Count();

    public int PendingChanges => _changed.Count;

    public bool Corrupt { get; private set; }

    public byte[]? Get(string key) => Entry(key)?.Value;

    public void Put(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Changed(key).Value = value;
    }

    public void Delete(string key)
    {
        MarkChanged(key, null);
        _cache.Forget(key);
        (_lastKey, _lastEntry) = (key, null);
    }

    public bool HasApplied(string key) => Entry(key) is { } entry && entry.HasApplied(_currentOrigin());

    public IEnumerable<KeyValuePair<string, byte[]>> All() => Entries().Select(e => KeyValuePair.Create(e.Key, e.Value.Value));

    public T? GetDecoded<T>(string key, StateSerde<T> serde)
        where T : class => Entry(key)?.Decoded(serde);

    public void PutDecoded<T>(string key, T value, StateSerde<T> serde)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        Changed(key).SetDecoded(value, serde);
    }

    public IEnumerable<KeyValuePair<string, T>> AllDecoded<T>(StateSerde<T> serde)
        where T : class => Entries().Select(e => KeyValuePair.Create(e.Key, e.Value.Decoded(serde)));

    public IReadOnlyList<TakenChange> TakeChanges()
    {
        ForgetLastLook();
        var changes = new List<TakenChange>(_changed.Count);
        foreach (var (key, (entry, cause)) in _changed)
        {
            var encoded = entry?.Encode();
            _pending[key] = (entry, encoded);
            changes.Add(new TakenChange(key, encoded, cause));
        }

        _changed.Clear();
        return changes;
    }

    public void ChangesDurable()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        ForgetLastLook();
        using var batch = new WriteBatch();
        foreach (var (key, (entry, encoded)) in _pending)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            if (encoded is null)
            {
                batch.Delete(keyBytes);
            }
            else
            {
                batch.Put(keyBytes, encoded);

                // Changed again since it was taken (even deleted): the newer change is the current entry, not this one.
                if (!_changed.ContainsKey(key))
                {
                    _cache.Remember(key, entry!, encoded.Length);
                }
            }
        }

        _db.Write(batch, _unsynced);
        _pending.Clear();
    }

    public void Restore(string key, ReadOnlySpan<byte> value, bool tombstone)
    {
        _restoring ??= new WriteBatch();
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (tombstone)
        {
            _restoring.Delete(keyBytes);
        }
        else
        {
            _restoring.Put(keyBytes, value.ToArray());
        }

        _cache.Forget(key);
        ForgetLastLook();
        if (++_restoringCount >= RestoreBatch)
        {
            WriteRestored();
        }
    }

    public void RestoreCompleted()
    {
        WriteRestored();
        _changed.Clear();
        ForgetLastLook();
    }

    /// <summary>Makes everything written so far survive a machine crash, so a checkpoint may name it.</summary>
    public void Sync() => _db.Put(SyncMarkerKey, Array.Empty<byte>(), null, _synced);

    public void Dispose()
    {
        _restoring?.Dispose();
        _cache.Close();
        _db.Dispose();
    }

    private void WriteRestored()
    {
        if (_restoring is null)
        {
            return;
        }

        _db.Write(_restoring, _unsynced);
        _restoring.Dispose();
        _restoring = null;
        _restoringCount = 0;
    }

    /// <summary>The current entry: changed, taken but not yet durable, cached, or read from RocksDB (then cached).</summary>
    private StoreEntry? Entry(string key)
    {
        if (string.Equals(key, _lastKey, StringComparison.Ordinal))
        {
            return _lastEntry;
        }

        var entry = Look(key);
        (_lastKey, _lastEntry) = (key, entry);
        return entry;
    }

    private StoreEntry? Look(string key)
    {
        if (_changed.TryGetValue(key, out var changed))
        {
            return changed.Entry;
        }

        if (_pending.TryGetValue(key, out var pending))
        {
            return pending.Entry;
        }

        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        byte[]? stored;
        try
        {
            stored = _db.Get(Encoding.UTF8.GetBytes(key));
        }
        catch (RocksDbException ex) when (IsCorruption(ex))
        {
            throw Corruption(ex);
        }

        if (stored is null)
        {
            return null;
        }

        var entry = StoreEntry.Decode(stored);
        _cache.Remember(key, entry, stored.Length);
        return entry;
    }

    private void ForgetLastLook() => (_lastKey, _lastEntry) = (null, null);

    private static bool IsCorruption(RocksDbException ex) => ex.Message.StartsWith("Corruption", StringComparison.Ordinal);

    /// <summary>
    /// A damaged file is not the record's fault, so this fails the thread's work since its last commit rather than the
    /// record; and the store is marked, so its task drops its checkpoint and is wiped and restored from the changelog.
    /// </summary>
    private StoreCorruptedException Corruption(RocksDbException ex)
    {
        Corrupt = true;
        return new StoreCorruptedException(
            Name, $"Store '{Name}' is damaged on disk ({ex.Message}). Its task's checkpoint is dropped, so the store is wiped and restored from its changelog.", ex);
    }

    /// <summary>The key's entry to change (a copy of nothing when new), marked applied for the current input's origin.</summary>
    private StoreEntry Changed(string key)
    {
        var entry = Entry(key) ?? new StoreEntry([], new Dictionary<string, long>(StringComparer.Ordinal));
        entry.MarkApplied(_currentOrigin());

        _cache.Forget(key);
        MarkChanged(key, entry);
        (_lastKey, _lastEntry) = (key, entry);
        return entry;
    }

    private void MarkChanged(string key, StoreEntry? entry)
    {
        ref var change = ref CollectionsMarshal.GetValueRefOrAddDefault(_changed, key, out var known);
        change = (entry, TakenChange.Newest(known, change.CausedAtMs, _currentTimestampMs()));
    }

    /// <summary>Every entry in key order (ordinal): RocksDB's, overlaid with what is not durable yet.</summary>
    private List<KeyValuePair<string, StoreEntry>> Entries()
    {
        var overlay = new Dictionary<string, StoreEntry?>(StringComparer.Ordinal);
        foreach (var (key, pending) in _pending)
        {
            overlay[key] = pending.Entry;
        }

        foreach (var (key, changed) in _changed)
        {
            overlay[key] = changed.Entry;
        }

        var entries = new List<KeyValuePair<string, StoreEntry>>();
        try
        {
            using var iterator = _db.NewIterator();
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var key = Encoding.UTF8.GetString(iterator.Key());
                if (!overlay.ContainsKey(key) && !ChangelogRecords.IsRuntimeKey(key))
                {
                    entries.Add(KeyValuePair.Create(key, _cache.GetValueOrDefault(key) ?? StoreEntry.Decode(iterator.Value())));
                }
            }

            // An iterator that meets a damaged block stops as if at the end: only its status tells the scan was cut short.
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        catch (RocksDbException ex) when (IsCorruption(ex))
        {
            throw Corruption(ex);
        }

        entries.AddRange(overlay.Where(o => o.Value is not null && !ChangelogRecords.IsRuntimeKey(o.Key)).Select(o => KeyValuePair.Create(o.Key, o.Value!)));
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }
}
