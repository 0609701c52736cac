using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
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
public sealed class LocalStateRestartTests : IDisposable
{
    private const int Keys = 30;
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"c360-state-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_restart_restores_only_what_the_local_stores_lack_and_with_them_corrupt_or_gone_everything_with_the_same_counts()
    {
        var names = new UniqueNames(nameof(A_restart_restores_only_what_the_local_stores_lack_and_with_them_corrupt_or_gone_everything_with_the_same_counts));
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var options = new KafkaOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            ApplicationId = names.Group("app"),
            FetchWaitMaxMs = 10,
            // Each run's successor joins the group only after the mock expires the previous member: keep that short.
            Properties = { ["session.timeout.ms"] = "6000" },
        };
        var topology = CountingProcessor.Topology(options.ApplicationId, names.Topic("in"), names.Topic("out"), names.Topic("dlq"));
        var changelog = topology.ChangelogTopic(CountingProcessor.Store);
        foreach (var topic in new[] { names.Topic("in"), names.Topic("out"), changelog, names.Topic("dlq") })
        {
            cluster.CreateTopic(topic, 3);
        }

        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, StateStore = StateStoreKind.RocksDb, StateDirectory = _stateDirectory };
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "local-state")).Build();
        void Produce(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                producer.Produce(names.Topic("in"), new Message<string, string> { Key = $"k{i % Keys}", Value = "1" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

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
        Assert.Equal(expected, LatestCounts(options, names.Topic("out")));

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

        Assert.Equal(expected.ToDictionary(e => e.Key, e => e.Value + 1), LatestCounts(options, names.Topic("out")));
    }

    private string StorePath(string sub, int partition) => new TaskStateDirectory(_stateDirectory, sub, partition).StorePath(CountingProcessor.Store);

    private static long HighWatermarks(KafkaOptions options, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options, "watermarks", "watermarks")).Build();
        return Enumerable.Range(0, 3).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static Dictionary<string, long> LatestCounts(KafkaOptions options, string output)
    {
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in KafkaTopicReader.ReadAll(options, output))
        {
            var key = System.Text.Encoding.UTF8.GetString(record.Message.Key!);
            latest[key] = Math.Max(latest.GetValueOrDefault(key), CountingProcessor.Decode(record.Message.Value));
        }

        return latest;
    }
}
