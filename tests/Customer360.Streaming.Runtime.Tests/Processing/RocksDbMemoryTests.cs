using System.Diagnostics.Metrics;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using RocksDbSharp;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// Stores that share one memory budget stay near it while they take in far more than it, lose nothing to the flushes it
/// forces, and read back through the one cache they share.
/// </summary>
public sealed class RocksDbMemoryTests
{
    private const int Stores = 6;
    private const int EntriesPerStore = 1_500;
    private const int ValueBytes = 4_096;
    private const int EntriesPerCommit = 100;

    private readonly string _folder = TestScratch.Run.NewDirectory("c360-rocks-memory-");

    [Fact]
    public void Six_stores_taking_in_36_MB_keep_their_memtables_near_a_4_MiB_budget_and_lose_nothing()
    {
        // Each store alone would keep its 6 MB in memtables (up to 16 MiB each), 36 MB together: the budget makes them flush.
        using var memory = new RocksDbMemory(4 * 1024 * 1024);
        var databases = Enumerable.Range(0, Stores).Select(i => OpenDatabase(i, memory)).ToList();
        var stores = databases.Select((database, i) => new RocksDbKeyValueStore($"store-{i}", database, () => new RecordOrigin("in", i, 1))).ToList();
        long largestMemtables = 0;
        try
        {
            for (var first = 0; first < EntriesPerStore; first += EntriesPerCommit)
            {
                foreach (var (store, index) in stores.Select((s, i) => (s, i)))
                {
                    for (var entry = first; entry < first + EntriesPerCommit; entry++)
                    {
                        store.Put(Key(entry), Value(index, entry));
                    }

                    store.TakeChanges();
                    store.ChangesDurable();
                    // The flushes the budget asks for run in the background, as fast as the machine lets them; what the
                    // budget decides is what is left once they are done.
                    databases.ForEach(WaitForFlushes);
                    largestMemtables = Math.Max(largestMemtables, databases.Sum(MemtableBytes));
                }
            }
        }
        finally
        {
            stores.ForEach(store => store.Dispose());
        }

        Assert.InRange(largestMemtables, 1, memory.BudgetBytes);
        for (var index = 0; index < Stores; index++)
        {
            using var reopened = Open(index, memory);
            var read = reopened.All().ToList();
            Assert.Equal(EntriesPerStore, read.Count);
            Assert.All(read, entry => Assert.Equal(Value(index, int.Parse(entry.Key[1..], System.Globalization.CultureInfo.InvariantCulture)), entry.Value));
        }
    }

    [Fact]
    public void Reading_back_far_more_than_the_budget_fills_the_one_shared_cache_up_to_its_budget_and_no_further()
    {
        using var memory = new RocksDbMemory(4 * 1024 * 1024);
        for (var index = 0; index < Stores; index++)
        {
            using var store = Open(index, memory);
            for (var entry = 0; entry < EntriesPerStore; entry++)
            {
                store.Put(Key(entry), Value(index, entry));
            }

            store.TakeChanges();
            store.ChangesDurable();
        }

        var reopened = Enumerable.Range(0, Stores).Select(i => Open(i, memory)).ToList();
        try
        {
            var read = reopened.Sum(store => store.All().Count());

            Assert.Equal(Stores * EntriesPerStore, read);
            // Blocks of every store went through one cache: had each kept its own, the shared one would hold next to nothing.
            Assert.InRange(memory.UsageBytes, memory.BudgetBytes / 2, memory.BudgetBytes + (memory.BudgetBytes / 8));
        }
        finally
        {
            reopened.ForEach(store => store.Dispose());
        }
    }

    [Theory]
    [InlineData(StateStoreKind.RocksDb, 96L * 1024 * 1024, 24L * 1024 * 1024)]
    [InlineData(StateStoreKind.InMemory, null, null)]
    public void A_processor_reports_the_budgets_its_RocksDB_stores_share_and_one_keeping_them_in_memory_reports_none(StateStoreKind kind, long? reported, long? cacheReported)
    {
        using var metrics = new StreamsMetrics();
        var streams = new StreamsOptions { StateStore = kind, StateMemoryMiB = 96, StateCacheMiB = 24, Threads = 2 };

        _ = new StreamProcessor(
            new KafkaOptions { BootstrapServers = "127.0.0.1:9" }, streams, CountingProcessor.Topology("app", "in", "out"), TimeProvider.System,
            NullLogger<StreamWorker>.Instance, "app", metrics);

        Assert.Equal(reported, Gauge(metrics, "c360.state.memory.budget"));
        Assert.Equal(reported is null ? null : 0, Gauge(metrics, "c360.state.memory.used"));
        Assert.Equal(cacheReported, Gauge(metrics, "c360.state.cache.budget"));
        Assert.Equal(cacheReported is null ? null : 0, Gauge(metrics, "c360.state.cache.used"));
    }

    [Fact]
    public void A_budget_below_one_MiB_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RocksDbMemory(512 * 1024));

    /// <summary>The gauge's value now, or null when <paramref name="metrics"/> has no such gauge.</summary>
    private static long? Gauge(StreamsMetrics metrics, string name)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private RocksDbKeyValueStore Open(int index, RocksDbMemory memory) =>
        new($"store-{index}", Path.Combine(_folder, $"store-{index}"), () => new RecordOrigin("in", index, 1), memory: memory);

    private RocksDb OpenDatabase(int index, RocksDbMemory memory) =>
        RocksDbKeyValueStore.OpenDatabase($"store-{index}", Path.Combine(_folder, $"store-{index}"), memory);

    /// <summary>What <paramref name="database"/> holds in memtables, by its own count (not the budget's).</summary>
    private static long MemtableBytes(RocksDb database) =>
        long.Parse(database.GetProperty("rocksdb.cur-size-all-mem-tables"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until <paramref name="database"/> has flushed every memtable it switched out (a minute at most).</summary>
    private static void WaitForFlushes(RocksDb database)
    {
        var giveUpAt = DateTime.UtcNow.AddMinutes(1);
        while (database.GetProperty("rocksdb.num-immutable-mem-table") != "0")
        {
            Assert.True(DateTime.UtcNow < giveUpAt, "a memtable switched out for flushing was still in memory a minute later");
            Thread.Sleep(5);
        }
    }

    private static string Key(int entry) => $"k{entry:D5}";

    /// <summary>Bytes that do not compress, so what is written is what memory and disk hold; the same for the same entry.</summary>
    private static byte[] Value(int store, int entry)
    {
        var value = new byte[ValueBytes];
        new Random((store * 100_003) + entry).NextBytes(value);
        return value;
    }
}
