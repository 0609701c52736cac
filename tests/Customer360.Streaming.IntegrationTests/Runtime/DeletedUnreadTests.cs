using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// Input the broker deleted before the processor read it. Found by running the demo at 100,000 customers: the
/// processor fell behind by more than the embedded broker keeps (about 5 MiB per partition), the consumer went on from
/// each log's new start, and only a rate-limited line of librdkafka's said so; the committed offsets then moved past
/// records no stage had seen. On a real broker the same happens when a processor is down longer than a topic's retention.
/// </summary>
public sealed class DeletedUnreadTests
{
    [Fact]
    public async Task Input_deleted_while_the_processor_was_stopped_is_counted_named_in_the_log_and_shown_in_the_status_at_restart()
    {
        using var broker = new OwnCountingBroker(new UniqueNames(nameof(Input_deleted_while_the_processor_was_stopped_is_counted_named_in_the_log_and_shown_in_the_status_at_restart)), 1);
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce };
        broker.Produce(Enumerable.Repeat("k", 10));
        await using (var first = new InProcessWorker(broker.Options, streams, broker.Topology))
        {
            Assert.True(await first.WaitUntilAsync(() => first.Worker.Status.CommittedOffsets.Values.Sum() >= 10, TimeSpan.FromSeconds(60)), "the first run did not commit its input");
        }

        // While it is stopped, more arrives than the broker keeps: the oldest of it, from offset 10 on, is deleted.
        BrokerRetention.FillPastLimit(broker.Options, broker.Input, [0]);
        broker.Produce(Enumerable.Repeat("k", 5));
        var watermarks = BrokerRetention.Watermarks(broker.Options, broker.Input);
        var (logStart, end) = (watermarks.Low.Value, watermarks.High.Value);
        Assert.True(logStart > 10, $"the broker kept everything from offset {logStart}");

        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        var logger = new RecordingLogger<StreamWorker>();
        await using var second = new InProcessWorker(broker.Options, streams, broker.Topology, metrics, logger: logger);
        Assert.True(await second.WaitUntilAsync(() => second.Worker.Status.CommittedOffsets.Values.Sum() >= end, TimeSpan.FromSeconds(60)), "the restarted run did not catch up");

        Assert.Equal(logStart - 10, second.Worker.Status.DeletedUnread);
        Assert.Equal(logStart - 10, counters.Total("c360.records.deleted_unread"));
        var line = Assert.Single(logger.Recorded.Entries, e => e.Message.Contains("before they were read", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains($"{logStart - 10} records of {broker.Input}[0] (offsets 10 to {logStart - 1})", line.Message, StringComparison.Ordinal);

        // The records the broker still held were processed: the count goes on from the first run's.
        Assert.Equal(15, broker.LatestCounts()["k"]);
    }

    [Fact]
    public async Task Input_deleted_while_a_partition_waited_for_a_retry_is_counted_when_the_partition_resumes()
    {
        // The running thread's side: it knows where it was (the record it rewound to) and sees the consumer jump past it.
        var dependencyDown = false;
        using var broker = new OwnCountingBroker(
            new UniqueNames(nameof(Input_deleted_while_a_partition_waited_for_a_retry_is_counted_when_the_partition_resumes)), 1,
            around: counting => new WhileUp(() => !Volatile.Read(ref dependencyDown), counting));

        using var metrics = new StreamsMetrics();
        using var counters = new CounterRecorder(metrics.Meter);
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, TransientRetryBackoffMs = 100, TransientRetryBackoffMaxMs = 200 };
        await using var worker = new InProcessWorker(broker.Options, streams, broker.Topology, metrics);
        broker.Produce(Enumerable.Repeat("k", 10));
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 10, TimeSpan.FromSeconds(60)), "the first records were not committed");

        // The dependency goes down: the next record waits for a retry, rewound to offset 10, while the broker deletes it and what follows.
        Volatile.Write(ref dependencyDown, true);
        broker.Produce(["k"]);
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.PauseReasons.Count > 0, TimeSpan.FromSeconds(60)), "the record was not retried");
        BrokerRetention.FillPastLimit(broker.Options, broker.Input, [0]);
        var watermarks = BrokerRetention.Watermarks(broker.Options, broker.Input);
        var (logStart, end) = (watermarks.Low.Value, watermarks.High.Value);
        Assert.True(logStart > 10, $"the broker kept everything from offset {logStart}");
        Volatile.Write(ref dependencyDown, false);

        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= end, TimeSpan.FromSeconds(60)), "the worker did not catch up");
        Assert.Equal(logStart - 10, worker.Worker.Status.DeletedUnread);
        Assert.Equal(logStart - 10, counters.Total("c360.records.deleted_unread"));
    }

    /// <summary>A processor whose dependency is up only while <c>up()</c> says so: otherwise each record waits for a retry.</summary>
    private sealed class WhileUp(Func<bool> up, IProcessor inner) : IProcessor
    {
        public void Init(IProcessorContext context) => inner.Init(context);

        public void Process(StreamRecord record)
        {
            if (!up())
            {
                throw new TransientProcessingException("the test's dependency is down");
            }

            inner.Process(record);
        }
    }
}
