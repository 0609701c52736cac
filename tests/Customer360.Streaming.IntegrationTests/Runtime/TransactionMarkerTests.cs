using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A topic written in transactions holds a commit marker after each transaction's records, at an offset of its own
/// that no consumer is handed (Kafka Streams' KAFKA-6607). Under exactly_once_v2 the processor's own repartition
/// topics are such topics, and so is any input whose producers use transactions.
/// </summary>
public sealed class TransactionMarkerTests(KafkaFixture kafka)
{
    private const int Records = 20;

    [Theory]
    [InlineData(ProcessingGuarantee.AtLeastOnce)]
    [InlineData(ProcessingGuarantee.ExactlyOnceV2)]
    public async Task A_processed_transaction_leaves_no_lag_behind_its_commit_marker(ProcessingGuarantee guarantee)
    {
        // The processor committed the offset after the last record it processed, which is the marker's: an idle
        // partition showed a lag of 1 forever, in the status, the lag metric and `c360 lag`, which reads an offset
        // standing still under a lag as STALL.
        var names = new UniqueNames($"{nameof(A_processed_transaction_leaves_no_lag_behind_its_commit_marker)}-{guarantee}");
        var (input, deadLetters) = (names.Topic("in"), names.Topic("dlq"));
        await kafka.CreateTopicAsync(input, 1);
        await kafka.CreateTopicAsync(deadLetters, 1);
        var options = kafka.Options(names.Group("app"));
        ProduceInOneTransaction(options, input, names.Group("upstream"));
        var partition = new TopicPartition(input, 0);
        var end = HighWatermark(options, partition);
        Assert.True(end == Records + 1, $"the broker put no commit marker after the transaction's {Records} records (high watermark {end})");

        var topology = new StreamTopologyBuilder(options.ApplicationId)
            .DeadLetterTo(deadLetters)
            .AddSubTopology("discard", [input], () => new DiscardingProcessor())
            .Build();
        await using (var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = guarantee }, topology))
        {
            var status = worker.Worker.Status;
            var caughtUp = await worker.WaitUntilAsync(
                () => status.CommittedOffsets.GetValueOrDefault(partition) == end && status.Partitions.Any(p => p.Partition == partition && p.Lag == 0),
                TimeSpan.FromSeconds(60));
            var progress = status.Partitions.FirstOrDefault(p => p.Partition == partition);
            Assert.True(
                caughtUp,
                $"committed {status.CommittedOffsets.GetValueOrDefault(partition)} of {end}; lag {progress?.Lag}; last record processed at {progress?.Consumed}");
        }

        if (guarantee == ProcessingGuarantee.AtLeastOnce || kafka.EnforcesExactlyOnce)
        {
            // What `c360 lag` and every other group monitor read. (The embedded broker keeps no offsets committed in a
            // transaction, so under exactly_once_v2 only a real broker shows them.)
            var lag = ConsumerGroupLag.Read(options, options.ApplicationId, [input], TimeSpan.FromSeconds(10)).Single();
            Assert.Equal((long?)end, lag.Committed);
            Assert.Equal(0, lag.Lag);
        }
    }

    /// <summary>Writes <see cref="Records"/> records to <paramref name="topic"/> in one committed transaction.</summary>
    private static void ProduceInOneTransaction(KafkaOptions options, string topic, string transactionalId)
    {
        var config = KafkaClientConfigs.Producer(options, transactionalId);
        config.TransactionalId = transactionalId;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        producer.BeginTransaction();
        for (var i = 0; i < Records; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = "v" });
        }

        producer.CommitTransaction(TimeSpan.FromSeconds(30));
    }

    private static long HighWatermark(KafkaOptions options, TopicPartition partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, "watermarks", "watermarks")).Build();
        return consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
    }

    /// <summary>Takes every record and does nothing with it: the offsets are what this test is about.</summary>
    private sealed class DiscardingProcessor : IProcessor
    {
        public void Init(IProcessorContext context)
        {
        }

        public void Process(StreamRecord record)
        {
        }
    }
}
