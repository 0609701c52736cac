using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// Under exactly_once_v2 a consumer sees an output only once its transaction commits. An output that asks to be seen
/// soon (<see cref="IProcessorContext.RequestCommit"/>) is committed after the prompt interval, not the commit interval.
/// </summary>
public sealed class PromptCommitTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Under_exactly_once_an_output_that_asks_for_a_commit_is_committed_long_before_the_commit_interval()
    {
        var names = new UniqueNames(nameof(Under_exactly_once_an_output_that_asks_for_a_commit_is_committed_long_before_the_commit_interval));
        var (input, output, deadLetters) = (names.Topic("in"), names.Topic("out"), names.Topic("dlq"));
        foreach (var topic in new[] { input, output, deadLetters })
        {
            await kafka.CreateTopicAsync(topic, 1);
        }

        var options = kafka.Options(names.Group("app"));
        // The interval's first commit is a minute after the thread starts: only a request can commit before it.
        options.CommitIntervalMs = 60_000;
        options.PromptCommitIntervalMs = 10;
        var topology = new StreamTopologyBuilder(options.ApplicationId)
            .DeadLetterTo(deadLetters)
            .AddSubTopology("moments", [input], () => new MomentProcessor(output), sinks: [output])
            .Build();
        var partition = new TopicPartition(input, 0);
        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        await using var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2 }, topology, metrics);
        var status = worker.Worker.Status;
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "moments")).Build())
        {
            await producer.ProduceAsync(input, new Message<string, string> { Key = "c-1", Value = "entered the store" }, TestContext.Current.CancellationToken);
        }

        Assert.True(await worker.WaitUntilAsync(() => status.RecordsConsumed == 1, TimeSpan.FromSeconds(40)), "the record was not processed");
        var committed = await worker.WaitUntilAsync(() => status.CommittedOffsets.GetValueOrDefault(partition) == 1, TimeSpan.FromSeconds(15));

        Assert.True(committed, $"the output that asked for a commit was not committed; committed offsets: {string.Join(", ", status.CommittedOffsets)}");
        Assert.True(counters.Total("c360.commits.prompted") >= 1, "the commit was not counted as brought forward");
    }

    /// <summary>Emits a record for each input and asks for it to be seen soon, as the trigger stage does for a trigger.</summary>
    private sealed class MomentProcessor(string output) : IProcessor
    {
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context) => _context = context;

        public void Process(StreamRecord record)
        {
            _context.Emit(output, record.Key, record.Value);
            _context.RequestCommit();
        }
    }
}
