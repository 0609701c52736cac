using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A stream thread that produces faster than its broker acknowledges fills the producer's queue
/// (<c>queue.buffering.max.messages</c>, 100,000 by default): a slow broker, or a burst of outputs and changelog
/// records at a commit. A full queue is backpressure to wait out, as Kafka Streams' send blocks, not a failure.
/// </summary>
public sealed class ProducerQueueTests(KafkaFixture kafka)
{
    [Fact]
    public async Task A_full_producer_queue_holds_the_stream_thread_until_there_is_room_and_every_count_is_exact()
    {
        // It failed the 21st record's processing with "Local: Queue full": under the default Streams:OnProcessingError=Fail
        // that stopped the processor, and under DeadLetter a valid record would have been dead-lettered.
        var topics = await CountingTopics.CreateAsync(
            kafka, new UniqueNames(nameof(A_full_producer_queue_holds_the_stream_thread_until_there_is_room_and_every_count_is_exact)), inputPartitions: 2);
        var options = topics.Options;
        options.Properties["queue.buffering.max.messages"] = "20";
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(kafka.Options(), "queue-in")).Build())
        {
            for (var i = 0; i < 2_000; i++)
            {
                producer.Produce(topics.Input, new Message<string, string> { Key = $"k{i % 10}", Value = "1" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await using (var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology()))
        {
            var lagZero = () => ConsumerGroupLag.Read(options, options.ApplicationId, [topics.Input], TimeSpan.FromSeconds(10)).All(p => p.Lag == 0);
            Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.Phase == WorkerPhase.Failed || lagZero(), TimeSpan.FromSeconds(120)), "the inputs were not all committed");
            Assert.True(worker.Worker.Status.Phase != WorkerPhase.Failed, worker.Worker.Status.Failure);
        }

        var finals = KafkaTopicReader.ReadAll(options, topics.Output)
            .GroupBy(o => Encoding.UTF8.GetString(o.Message.Key!))
            .ToDictionary(g => g.Key, g => g.Max(o => long.Parse(Encoding.UTF8.GetString(o.Message.Value!), CultureInfo.InvariantCulture)));
        Assert.Equal(10, finals.Count);
        Assert.All(finals.Values, v => Assert.Equal(200, v));
    }
}
