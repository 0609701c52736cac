using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// What the log says while a partition waits on a dependency to retry its record. A Schema Registry stopped under
/// `c360 run` logged a warning for every partition on every retry (36 in 13 s for six partitions; a 78-partition
/// processor through a five-minute outage writes over a thousand) and nothing when the partitions resumed.
/// </summary>
public sealed partial class RetryLogTests(KafkaFixture kafka)
{
    private const int Refusals = 4;

    [Fact]
    public async Task A_partition_s_first_pause_is_a_warning_its_further_retries_are_debug_and_its_resumption_says_after_how_many_and_how_long()
    {
        var names = new UniqueNames(nameof(A_partition_s_first_pause_is_a_warning_its_further_retries_are_debug_and_its_resumption_says_after_how_many_and_how_long));
        var options = kafka.Options(names.Group("app"));
        var topology = new StreamTopologyBuilder(options.ApplicationId)
            .DeadLetterTo(names.Topic("dlq"))
            .AddSubTopology("pass", [names.Topic("in")], () => new RefusingAtFirst(Refusals, names.Topic("out")), sinks: [names.Topic("out")])
            .Build();
        foreach (var topic in new[] { names.Topic("in"), names.Topic("out"), names.Topic("dlq") })
        {
            await kafka.CreateTopicAsync(topic, 1);
        }

        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "retry-log-in")).Build())
        {
            await producer.ProduceAsync(names.Topic("in"), new Message<string, string> { Key = "k", Value = "v" }, TestContext.Current.CancellationToken);
        }

        var logger = new RecordingLogger<StreamWorker>();
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, TransientRetryBackoffMs = 1 };
        await using (var worker = new InProcessWorker(options, streams, topology, logger: logger))
        {
            Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.RecordsConsumed > 0, TimeSpan.FromSeconds(60)), worker.Worker.Status.Failure ?? "the record never went through");
        }

        var partition = $"{names.Topic("in")}[0]";
        var aboutThePartition = logger.Recorded.Entries.Where(e => e.Message.Contains(partition, StringComparison.Ordinal))
            .Select(e => (e.Level, Seconds().Replace(e.Message, "<s> s")));
        const string Reason = "TransientProcessingException (message withheld: it may contain record data)";
        Assert.Equal(
            [
                (LogLevel.Warning, $"Paused {partition} for 1 ms; the record will be retried: {Reason}"),
                (LogLevel.Debug, $"Paused {partition} again for 2 ms; the record will be retried: {Reason}"),
                (LogLevel.Debug, $"Paused {partition} again for 4 ms; the record will be retried: {Reason}"),
                (LogLevel.Debug, $"Paused {partition} again for 8 ms; the record will be retried: {Reason}"),
                (LogLevel.Information, $"Resumed {partition}: its record went through on retry 4, <s> s after it was first refused"),
            ],
            aboutThePartition);
    }

    [GeneratedRegex(@"\d+\.\d s")]
    private static partial Regex Seconds();

    /// <summary>Refuses its first records as a dependency that is down would, then passes each on.</summary>
    private sealed class RefusingAtFirst(int refusals, string output) : IProcessor
    {
        private IProcessorContext _context = null!;
        private int _refused;

        public void Init(IProcessorContext context) => _context = context;

        public void Process(StreamRecord record)
        {
            if (_refused++ < refusals)
            {
                throw new TransientProcessingException("the dependency is down");
            }

            _context.Emit(output, record.Key, record.Value);
        }
    }
}
