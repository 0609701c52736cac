using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// The memory all RocksDB stores of a processor share, within one budget (<c>Streams:StateMemoryMiB</c>; Kafka Streams'
/// recipe is BoundedMemoryRocksDBConfig). One LRU block cache holds every store's data, index and filter blocks, and a
/// write buffer manager charges every store's memtables to that cache; once they pass <see cref="MemtableShare"/> of
/// the budget, a store written to flushes its own. Without it each store had a block cache of its own (RocksDB's default,
/// 32 MiB) and memtables of its own (up to 16 MiB), so memory grew with the number of tasks, and indexes and filters
/// sat outside any cache. Both are made when the first store opens: making them binds RocksDB's native library, which
/// a worker does in the background (<see cref="RocksDbNativeLibrary"/>). It also carries the budget for what the
/// stores keep decoded on the heap (<see cref="EntryCache"/>, <c>Streams:StateCacheMiB</c>), which RocksDB never sees.
/// </summary>
public sealed class RocksDbMemory : IDisposable
{
    /// <summary>The part of the budget memtables may fill before the stores written to flush theirs; the rest caches what is read.</summary>
    public const double MemtableShare = 0.5;

    /// <summary>
    /// The unit a memtable grows by, and is charged to the budget in. RocksDB's default is an eighth of the write
    /// buffer (1 MiB here), so every store's memtable counted at least that much: six stores under a 4 MiB budget
    /// kept 6.3 MB of memtables in the tests once their flushes were done, against 3.2 MB at this size.
    /// </summary>
    private const ulong ArenaBlockBytes = 256 * 1024;

    private readonly Lazy<(Cache Cache, WriteBufferManagerHandle WriteBuffers)> _shared;

    /// <param name="budgetBytes">RocksDB's budget: block cache and memtables.</param>
    /// <param name="entryCache">What the stores keep decoded on the heap; default: <see cref="DefaultEntryCacheMiB"/> of their own.</param>
    public RocksDbMemory(long budgetBytes, EntryCacheBudget? entryCache = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1024 * 1024);
        BudgetBytes = budgetBytes;
        EntryCache = entryCache ?? EntryCacheBudget.OfMebibytes(DefaultEntryCacheMiB);
        _shared = new(() =>
        {
            // Not strict: at a strict limit RocksDB fails the reads it cannot cache, rather than going over for a moment.
            var cache = Cache.CreateLru((ulong)budgetBytes);
            return (cache, WriteBufferManagerHandle.Create((ulong)(budgetBytes * MemtableShare), cache));
        });
    }

    /// <summary><c>Streams:StateCacheMiB</c>'s default.</summary>
    public const int DefaultEntryCacheMiB = 128;

    /// <summary>A budget of <paramref name="mebibytes"/> MiB, as <c>Streams:StateMemoryMiB</c> gives it, and <paramref name="entryCacheMebibytes"/> (<c>Streams:StateCacheMiB</c>) for decoded entries.</summary>
    public static RocksDbMemory OfMebibytes(int mebibytes, int entryCacheMebibytes = DefaultEntryCacheMiB) =>
        new(mebibytes * 1024L * 1024L, EntryCacheBudget.OfMebibytes(entryCacheMebibytes));

    public long BudgetBytes { get; }

    /// <summary>What the stores keep decoded on the heap, shared by all of them as RocksDB's budget is.</summary>
    public EntryCacheBudget EntryCache { get; }

    /// <summary>What the stores hold in memory now: cached blocks and the memtables charged to the cache (0 before a store opened).</summary>
    public long UsageBytes => _shared.IsValueCreated ? (long)_shared.Value.Cache.GetUsage() : 0;

    /// <summary>The part of <see cref="UsageBytes"/> that is memtables: changes not yet flushed to files.</summary>
    public long MemtableBytes => _shared.IsValueCreated ? _shared.Value.WriteBuffers.MemoryUsage : 0;

    /// <summary>Makes a store opened with <paramref name="options"/> use the shared cache and count its memtables against the budget.</summary>
    internal DbOptions Share(DbOptions options)
    {
        var (cache, writeBuffers) = _shared.Value;
        // Index and filter blocks go into the cache too, or every open file keeps its own outside the budget; level 0's
        // stay pinned there, as they are consulted on every read.
        var table = new BlockBasedTableOptions().SetBlockCache(cache).SetCacheIndexAndFilterBlocks(true).SetPinL0FilterAndIndexBlocksInCache(true);
        options.SetBlockBasedTableFactory(table).SetArenaBlockSize(ArenaBlockBytes);
        writeBuffers.SetOn(options);
        return options;
    }

    /// <summary>
    /// Releases this object's reference to the write buffer manager. Stores still open keep theirs (RocksDB shares it
    /// between them), so this may run before they close.
    /// </summary>
    public void Dispose()
    {
        if (_shared.IsValueCreated)
        {
            _shared.Value.WriteBuffers.Dispose();
        }
    }

    /// <summary>RocksDB's write buffer manager, which RocksDbSharp does not wrap: freed once, by <see cref="Dispose"/> or the finalizer.</summary>
    private sealed class WriteBufferManagerHandle : SafeHandle
    {
        private WriteBufferManagerHandle()
            : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        public long MemoryUsage
        {
            get
            {
                ObjectDisposedException.ThrowIf(IsClosed, this);
                return (long)Native.Instance.rocksdb_write_buffer_manager_memory_usage(handle);
            }
        }

        /// <summary>A manager of <paramref name="bufferBytes"/> whose memtables take room in <paramref name="cache"/>; it never stalls writes.</summary>
        public static WriteBufferManagerHandle Create(ulong bufferBytes, Cache cache)
        {
            var manager = new WriteBufferManagerHandle();
            manager.SetHandle(Native.Instance.rocksdb_write_buffer_manager_create_with_cache(checked((UIntPtr)bufferBytes), cache.Handle, allow_stall: 0));
            return manager;
        }

        public void SetOn(DbOptions options)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            // RocksDB copies its reference to the manager into the options, and from there into the store.
            Native.Instance.rocksdb_options_set_write_buffer_manager(options.Handle, handle);
        }

        protected override bool ReleaseHandle()
        {
            Native.Instance.rocksdb_write_buffer_manager_destroy(handle);
            return true;
        }
    }
}
