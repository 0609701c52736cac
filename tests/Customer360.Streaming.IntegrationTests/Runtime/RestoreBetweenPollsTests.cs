using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// Restore runs in bounded steps between polls, not inside the rebalance callback (issue 20: a restore of any size
/// must not exceed max.poll.interval.ms): while a large changelog is restored, the worker is seen restoring with part
/// of it done, is not ready, and afterwards counts on from the restored values.
/// </summary>
public sealed class RestoreBetweenPollsTests
{
    private const int ChangelogLength = 100_000;

    [Fact]
    public async Task A_large_changelog_is_restored_in_steps_with_progress_visible_and_processing_starts_from_it()
    {
        var names = new UniqueNames(nameof(A_large_changelog_is_restored_in_steps_with_progress_visible_and_processing_starts_from_it));
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = names.Group("app"), FetchWaitMaxMs = 10 };
        var topology = CountingProcessor.Topology(options.ApplicationId, names.Topic("in"), names.Topic("out"), names.Topic("dlq"));
        var changelog = topology.ChangelogTopic(CountingProcessor.Store);
        foreach (var topic in new[] { names.Topic("in"), names.Topic("out"), changelog, names.Topic("dlq") })
        {
            cluster.CreateTopic(topic, 1);
        }

        using (var producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(options, "changelog")).Build())
        {
            for (var i = 0; i < ChangelogLength; i++)
            {
                producer.Produce(new TopicPartition(changelog, 0), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = ChangelogRecords.ValueFor("5"u8.ToArray()) });
            }

            producer.Flush(TimeSpan.FromSeconds(60));
        }

        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, StateStore = StateStoreKind.InMemory };
        await using var worker = new InProcessWorker(options, streams, topology);
        var partlyRestored = await worker.WaitUntilAsync(
            () => worker.Worker.Status is { Phase: WorkerPhase.Restoring, RestoredRecords: > 0 and < ChangelogLength, IsReady: false },
            TimeSpan.FromSeconds(60));
        Assert.True(partlyRestored, $"never seen restoring part-way; phase {worker.Worker.Status.Phase}, {worker.Worker.Status.RestoredRecords} restored");

        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.IsReady, TimeSpan.FromSeconds(60)), "never ready after the restore");
        Assert.Equal(ChangelogLength, worker.Worker.Status.RestoredRecords);

        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "input")).Build())
        {
            producer.Produce(names.Topic("in"), new Message<string, string> { Key = "k77", Value = "x" });
            producer.Flush(TimeSpan.FromSeconds(30));
        }

        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 1, TimeSpan.FromSeconds(60)), "the input was not committed");
        var output = Assert.Single(KafkaTopicReader.ReadAll(options, names.Topic("out")));
        Assert.Equal(6, CountingProcessor.Decode(output.Message.Value));
    }
}
