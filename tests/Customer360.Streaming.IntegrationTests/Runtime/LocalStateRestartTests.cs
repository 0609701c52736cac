using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// Durable local state (RocksDB with a checkpoint per task) on the embedded broker: a restart with the same state folder
/// restores nothing it already holds, one whose stores RocksDB finds corrupt or whose folders are gone restores every
/// changelog from the beginning, and both end with the exact counts. (A killed process is covered by the SIGKILL crash
/// test, which runs on RocksDB.)
/// </summary>
public sealed class LocalStateRestartTests
{
    private const int Keys = 30;
    private readonly string _stateDirectory = TestScratch.Run.NewDirectory("c360-state-");

    [Fact]
    public async Task A_restart_restores_only_what_the_local_stores_lack_and_with_them_corrupt_or_gone_everything_with_the_same_counts()
    {
        using var broker = new OwnCountingBroker(new UniqueNames(nameof(A_restart_restores_only_what_the_local_stores_lack_and_with_them_corrupt_or_gone_everything_with_the_same_counts)), 3);
        var (options, topology, changelog) = (broker.Options, broker.Topology, broker.Changelog);
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, StateStore = StateStoreKind.RocksDb, StateDirectory = _stateDirectory };
        void Produce(int from, int to) => broker.Produce(Enumerable.Range(from, to - from).Select(i => $"k{i % Keys}"));

        Produce(0, 3_000);
        await using (var first = new InProcessWorker(options, streams, topology))
        {
            Assert.True(await first.WaitUntilAsync(() => first.Worker.Status.CommittedOffsets.Values.Sum() >= 3_000, TimeSpan.FromSeconds(90)), "the first run did not commit its input");
            Assert.Equal(0, first.Worker.Status.RestoredRecords);
        }

        var changelogRecords = HighWatermarks(options, changelog);
        Produce(3_000, 3_600);
        await using (var second = new InProcessWorker(options, streams, topology))
        {
            Assert.True(await second.WaitUntilAsync(() => second.Worker.Status.CommittedOffsets.Values.Sum() >= 3_600, TimeSpan.FromSeconds(90)), "the restarted run did not catch up");

            // The clean stop checkpointed every task: nothing of the changelog had to be read again.
            Assert.Equal(0, second.Worker.Status.RestoredRecords);
        }

        var expected = Enumerable.Range(0, Keys).ToDictionary(k => $"k{k}", _ => 3_600L / Keys);
        Assert.Equal(expected, broker.LatestCounts());

        // Each task loses its local state another way: RocksDB finds one store's files corrupt (CURRENT overwritten,
        // the MANIFEST cut short), and one task's folder is gone.
        var sub = topology.SubTopologies.Single().Name;
        File.WriteAllText(Path.Combine(StorePath(sub, 0), "CURRENT"), "edited by hand\n");
        var manifest = Directory.GetFiles(StorePath(sub, 1), "MANIFEST-*").Single();
        File.WriteAllBytes(manifest, File.ReadAllBytes(manifest)[..20]);
        Directory.Delete(new TaskStateDirectory(_stateDirectory, sub, 2).Path, recursive: true);
        var allChangelog = HighWatermarks(options, changelog);
        await using (var third = new InProcessWorker(options, streams, topology))
        {
            Assert.True(await third.WaitUntilAsync(() => third.Worker.Status.IsReady, TimeSpan.FromSeconds(90)), "the run without local state never became ready");

            // Every changelog record, from the beginning: no task's local state could be used.
            Assert.Equal(allChangelog, third.Worker.Status.RestoredRecords);
            Assert.True(allChangelog > changelogRecords);
        }

        Produce(3_600, 3_630);
        await using (var fourth = new InProcessWorker(options, streams, topology))
        {
            Assert.True(await fourth.WaitUntilAsync(() => fourth.Worker.Status.CommittedOffsets.Values.Sum() >= 3_630, TimeSpan.FromSeconds(90)), "the last run did not catch up");
        }

        Assert.Equal(expected.ToDictionary(e => e.Key, e => e.Value + 1), broker.LatestCounts());
    }

    private string StorePath(string sub, int partition) => new TaskStateDirectory(_stateDirectory, sub, partition).StorePath(CountingProcessor.Store);

    private static long HighWatermarks(KafkaOptions options, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options, "watermarks", "watermarks")).Build();
        return Enumerable.Range(0, 3).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }
}
