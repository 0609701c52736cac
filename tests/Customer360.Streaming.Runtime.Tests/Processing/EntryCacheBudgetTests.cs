using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// The entries RocksDB stores keep decoded on the heap stay within one budget for all of them, however many stores
/// (tasks) there are, and every read still returns what was written. Before, each store kept 10,000 entries whatever
/// their size: six stores of 1,500 entries of 4 KiB held 36 MB of them.
/// </summary>
public sealed class EntryCacheBudgetTests
{
    private const int Stores = 6;
    private const int EntriesPerStore = 1_500;
    private const int ValueBytes = 4_096;

    private readonly string _folder = TestScratch.Run.NewDirectory("c360-entry-cache-");

    [Fact]
    public void Six_stores_reading_and_writing_36_MB_keep_at_most_their_1_MiB_budget_decoded_and_read_back_every_value()
    {
        var budget = EntryCacheBudget.OfMebibytes(1);
        using var memory = new RocksDbMemory(16 * 1024 * 1024, budget);
        var stores = Enumerable.Range(0, Stores).Select(i => Open(i, memory)).ToList();
        long mostKept = 0;
        try
        {
            foreach (var (store, index) in stores.Select((s, i) => (s, i)))
            {
                for (var entry = 0; entry < EntriesPerStore; entry++)
                {
                    store.Put(Key(entry), Value(index, entry));
                    if (entry % 100 == 99)
                    {
                        store.TakeChanges();
                        store.ChangesDurable();
                        mostKept = Math.Max(mostKept, budget.UsedBytes);
                    }
                }
            }

            // Read everything back, every store in turn: each read past the store's share evicts from its own entries.
            foreach (var (store, index) in stores.Select((s, i) => (s, i)))
            {
                for (var entry = 0; entry < EntriesPerStore; entry++)
                {
                    Assert.Equal(Value(index, entry), store.Get(Key(entry)));
                    mostKept = Math.Max(mostKept, budget.UsedBytes);
                }
            }

            Assert.InRange(mostKept, budget.BudgetBytes / 2, budget.BudgetBytes);
        }
        finally
        {
            stores.ForEach(store => store.Dispose());
        }

        // Closed stores give back what they kept.
        Assert.Equal(0, budget.UsedBytes);
    }

    [Fact]
    public void The_budget_is_shared_among_the_stores_open_now_and_a_store_closed_twice_gives_its_share_back_once()
    {
        var budget = EntryCacheBudget.OfMebibytes(4);
        using var memory = new RocksDbMemory(16 * 1024 * 1024, budget);
        var first = Open(0, memory);
        using var second = Open(1, memory);
        Assert.Equal(budget.BudgetBytes / 2, budget.ShareBytes);

        first.Dispose();
        first.Dispose();
        Assert.Equal(budget.BudgetBytes, budget.ShareBytes);
        using var third = Open(2, memory);
        Assert.Equal(budget.BudgetBytes / 2, budget.ShareBytes);
    }

    [Fact]
    public void A_budget_below_one_MiB_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EntryCacheBudget(1024));

    private RocksDbKeyValueStore Open(int index, RocksDbMemory memory) =>
        new($"store-{index}", Path.Combine(_folder, $"store-{index}"), () => new RecordOrigin("in", index, 1), memory: memory);

    private static string Key(int entry) => $"k{entry:D5}";

    private static byte[] Value(int store, int entry)
    {
        var value = new byte[ValueBytes];
        new Random((store * 100_003) + entry).NextBytes(value);
        return value;
    }
}
