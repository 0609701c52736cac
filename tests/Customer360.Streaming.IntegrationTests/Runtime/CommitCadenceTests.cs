using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A thread working off a backlog still commits every commit interval: its lag shrinks step by step, Redis and the
/// output topics see its work as it goes, and a crash repeats at most an interval of it.
/// </summary>
public sealed class CommitCadenceTests(KafkaFixture kafka)
{
    private const int Backlog = 1_500;

    [Fact]
    public async Task A_backlog_buffered_at_once_is_committed_in_many_steps_not_all_at_the_end()
    {
        var names = new UniqueNames(nameof(A_backlog_buffered_at_once_is_committed_in_many_steps_not_all_at_the_end));
        var (input, deadLetters) = (names.Topic("in"), names.Topic("dlq"));
        await kafka.CreateTopicAsync(input, 1);
        await kafka.CreateTopicAsync(deadLetters, 1);
        var options = kafka.Options(names.Group("app"));
        options.CommitIntervalMs = 100;
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "backlog")).Build())
        {
            for (var i = 0; i < Backlog; i++)
            {
                producer.Produce(input, new Message<string, string> { Key = $"k{i % 10}", Value = "v" });
            }

            producer.Flush(TestContext.Current.CancellationToken);
        }

        // Each record takes at least 2 ms, so the backlog takes at least 3 s: some thirty commit intervals.
        var topology = new StreamTopologyBuilder(options.ApplicationId)
            .DeadLetterTo(deadLetters)
            .AddSubTopology("slow", [input], () => new SlowProcessor(TimeSpan.FromMilliseconds(2)))
            .Build();
        var seen = new SortedSet<long>();
        await using (var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topology))
        {
            var drained = await worker.WaitUntilAsync(
                () =>
                {
                    seen.Add(worker.Worker.Status.CommittedOffsets.Values.Sum());
                    return seen.Max >= Backlog;
                },
                TimeSpan.FromSeconds(120));
            Assert.True(drained, $"the backlog was not committed; committed offsets seen: {string.Join(", ", seen)}");
        }

        var steps = seen.Count(committed => committed is > 0 and < Backlog);
        Assert.True(steps >= 5, $"the backlog's offsets were committed in {steps} steps between none and all: {string.Join(", ", seen)}");
    }

    /// <summary>Work that takes time, as a cold context stage's does: each record holds the thread for a while.</summary>
    private sealed class SlowProcessor(TimeSpan perRecord) : IProcessor
    {
        public void Init(IProcessorContext context)
        {
        }

        public void Process(StreamRecord record) => Thread.Sleep(perRecord);
    }
}
