using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;
using RocksDbSharp;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A RocksDB file that goes bad under a running thread (a torn block, found when a record's read reaches it) costs
/// that thread a restore, not its life: the damaged task is wiped and restored from its changelog, the inputs since
/// the last commit are processed again, and the counts end exact (Kafka Streams' TaskCorruptedException). Before, the
/// thread stopped and the process with it, until a restart restored the store.
/// </summary>
public sealed class DamagedStoreRevivalTests
{
    private const int Keys = 3_000;
    private readonly string _stateDirectory = TestScratch.Run.NewDirectory("c360-damaged-store-");

    [Fact]
    public async Task A_store_torn_under_a_running_thread_is_restored_from_its_changelog_and_every_count_ends_exact()
    {
        using var broker = new OwnCountingBroker(new UniqueNames(nameof(A_store_torn_under_a_running_thread_is_restored_from_its_changelog_and_every_count_ends_exact)), 3);
        var (options, topology) = (broker.Options, broker.Topology);
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, StateStore = StateStoreKind.RocksDb, StateDirectory = _stateDirectory };
        void ProduceOnePerKey() => broker.Produce(Enumerable.Range(0, Keys).Select(i => $"k{i:D4}"));

        ProduceOnePerKey();
        await using (var first = new InProcessWorker(options, streams, topology))
        {
            Assert.True(await first.WaitUntilAsync(() => first.Worker.Status.CommittedOffsets.Values.Sum() >= Keys, TimeSpan.FromSeconds(90)), "the first run did not commit its input");
        }

        // Partition 0's store is torn where the records' counts are, found when a record's read reaches it; partition
        // 1's at its start, where the task's stream time is, found when the task finishes restoring.
        TearItsFiles(StorePath(topology, partition: 0), fromThird: 1);
        TearItsFiles(StorePath(topology, partition: 1), fromThird: 0);
        ProduceOnePerKey();
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        await using (var second = new InProcessWorker(options, streams, topology, metrics))
        {
            var caughtUp = await second.WaitUntilAsync(() => second.Worker.Status.CommittedOffsets.Values.Sum() >= 2 * Keys, TimeSpan.FromSeconds(90));

            Assert.True(caughtUp, $"the run over a damaged store did not catch up: {second.Worker.Status.Phase} {second.Worker.Status.Failure}");
            // The first run stopped cleanly and checkpointed: only the damaged tasks had anything to read again.
            Assert.InRange(second.Worker.Status.RestoredRecords, 1, Keys);
            Assert.Equal(2, counters.Total("c360.store.damaged"));
        }

        // Every key was counted twice, once per run: the damaged store's counts came back from its changelog, and the
        // inputs processed before the damage was found were not counted again.
        var counts = broker.LatestCounts();
        Assert.Equal(Keys, counts.Count);
        Assert.All(counts, count => Assert.Equal(2, count.Value));
    }

    private string StorePath(StreamTopology topology, int partition) =>
        new TaskStateDirectory(_stateDirectory, topology.SubTopologies.Single().Name, partition).StorePath(CountingProcessor.Store);

    /// <summary>
    /// Moves what the store holds from its log into a table file, then overwrites the first or second third of that
    /// file, which hold data blocks only (the index and footer RocksDB reads when it opens a file are at its end), so
    /// the store opens and the damage is found by a read.
    /// </summary>
    private static void TearItsFiles(string storePath, int fromThird)
    {
        using (var database = RocksDb.Open(new DbOptions(), storePath))
        {
            database.Flush(new FlushOptions().SetWaitForFlush(true));
        }

        var files = Directory.GetFiles(storePath, "*.sst");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            using var stream = File.OpenWrite(file);
            stream.Position = fromThird * stream.Length / 3;
            stream.Write(Enumerable.Repeat((byte)0xA5, (int)(stream.Length / 3)).ToArray());
        }
    }
}
