using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// A RocksDB file that went bad after it was opened (a torn block on disk) is found when a read reaches it. The read
/// fails naming the store, instead of being blamed on the record being processed (and dead-lettered under the
/// DeadLetter policy) or, for a scan, silently ending early; and the task's checkpoint is dropped, so its next start
/// wipes the store and restores it from the changelog instead of failing on the same block again. (What the thread
/// does about it: DamagedStoreRevivalTests.)
/// </summary>
public sealed class CorruptStoreReadTests
{
    private const int Entries = 3_000;

    private readonly string _stateDirectory = TestScratch.Run.NewDirectory("c360-corrupt-read-");
    private readonly StreamTopology _topology = CountingProcessor.Topology("app", "in", "out");

    [Fact]
    public void Reading_a_torn_block_fails_naming_the_store_and_the_next_start_restores_it_from_the_changelog()
    {
        WriteThenTearAFile();
        var local = TaskLocalState.Open(Root, _topology.SubTopologies.Single(), 0, TimeProvider.System);
        var task = Task(local);
        var store = task.Stores[CountingProcessor.Store];

        var scan = Assert.Throws<StoreCorruptedException>(() => store.All().ToList());
        var read = Assert.Throws<StoreCorruptedException>(() => Enumerable.Range(0, Entries).Select(i => store.Get(Key(i))).ToList());

        Assert.All([scan, read], error => Assert.Contains($"Store '{CountingProcessor.Store}'", error.Message, StringComparison.Ordinal));
        Assert.Contains("restored from its changelog", scan.Message, StringComparison.Ordinal);
        local.Checkpoint(task);
        task.Close();

        var restarted = TaskLocalState.Open(Root, _topology.SubTopologies.Single(), 0, TimeProvider.System);
        Assert.Equal(0, restarted.RestoreFrom(CountingProcessor.Store));
        var fresh = Task(restarted);
        Assert.Empty(fresh.Stores[CountingProcessor.Store].All());
        fresh.Close();
    }

    private LocalStateRoot Root => new(_stateDirectory, RocksDbMemory.OfMebibytes(16));

    /// <summary>Writes more than a memtable holds, so RocksDB flushes a file, checkpoints, and then overwrites the middle of each file.</summary>
    private void WriteThenTearAFile()
    {
        var local = TaskLocalState.Open(Root, _topology.SubTopologies.Single(), 0, TimeProvider.System);
        var task = Task(local);
        var store = task.Stores[CountingProcessor.Store];
        for (var i = 0; i < Entries; i++)
        {
            var value = new byte[4_096];
            new Random(i).NextBytes(value);
            store.Put(Key(i), value);
            if (i % 500 == 499)
            {
                store.TakeChanges();
                store.ChangesDurable();
            }
        }

        local.Restored(CountingProcessor.Store, Entries);
        local.Checkpoint(task);
        task.Close();

        // RocksDB flushes a full memtable in the background, and a close with the write-ahead log on need not wait for
        // it: on a busy machine the store closed with every write still in its log and no table file to tear.
        var path = new TaskStateDirectory(_stateDirectory, _topology.SubTopologies.Single().Name, 0).StorePath(CountingProcessor.Store);
        using (var database = RocksDbKeyValueStore.OpenDatabase(CountingProcessor.Store, path, null))
        {
            database.Flush(new RocksDbSharp.FlushOptions().SetWaitForFlush(true));
        }

        var files = Directory.GetFiles(path, "*.sst");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            using var stream = File.OpenWrite(file);
            stream.Position = stream.Length / 3;
            stream.Write(Enumerable.Repeat((byte)0xA5, (int)Math.Min(64 * 1024, stream.Length / 3)).ToArray());
        }
    }

    private StreamTask Task(TaskLocalState local) =>
        new(_topology, _topology.SubTopologies.Single(), 0, new DiscardingCollector(), new StreamsOptions { StateStore = StateStoreKind.RocksDb }, "app", null, local.OpenStore);

    private static string Key(int i) => $"k{i:D5}";
}
