using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>Kafka Streams' REPLACE_THREAD: a thread that dies of a client error comes back, within a limit; anything else stops the processor.</summary>
public sealed class StreamProcessorTests
{
    [Fact]
    public async Task A_thread_that_dies_of_a_client_error_is_replaced_under_its_own_name_and_the_others_run_on()
    {
        using var metrics = new StreamsMetrics();
        using var stop = new CancellationTokenSource();
        var starts = new List<int>();
        var processor = new StreamProcessor(2, maxReplacements: 3, NullLogger.Instance, metrics, (thread, token) =>
        {
            lock (starts)
            {
                starts.Add(thread);
            }

            // Thread 2 dies of a client error on its first two lives, then runs like thread 1 until stopped.
            var failing = thread == 2 && starts.Count(t => t == 2) <= 2;
            return (Running(), failing ? Task.FromException(new KafkaException(ErrorCode.Local_Transport)) : Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default));
        });

        var running = processor.RunAsync(stop.Token);
        while (processor.Replacements < 2)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await running;

        Assert.Equal(2, processor.Replacements);
        Assert.Equal([1, 2, 2, 2], starts.Order());
        Assert.Equal(["StreamThread-1", "StreamThread-2"], processor.Status.Threads.Select(t => t.Name));
    }

    [Fact]
    public async Task The_counts_of_a_replaced_thread_stay_in_the_processors_totals()
    {
        // The overview's dead letters and the readiness body's records and commits fell back when a thread was replaced.
        using var metrics = new StreamsMetrics();
        using var stop = new CancellationTokenSource();
        var partition = new TopicPartition("in", 0);
        var lives = 0;
        var processor = new StreamProcessor(1, maxReplacements: 3, NullLogger.Instance, metrics, (_, token) =>
        {
            var status = Running();
            status.Consumed(partition, 10);
            status.DeadLettered();
            status.Committed([new TopicPartitionOffset(partition, 11)]);
            return Interlocked.Increment(ref lives) == 1
                ? (status, Task.FromException(new KafkaException(ErrorCode.Local_Transport)))
                : (status, Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default));
        });

        var running = processor.RunAsync(stop.Token);
        while (processor.Replacements < 1)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await running;

        Assert.Equal((2, 2, 2), (processor.Status.RecordsConsumed, processor.Status.DeadLetters, processor.Status.Commits));
    }

    [Fact]
    public async Task Past_the_limit_the_processor_fails_naming_the_thread()
    {
        using var metrics = new StreamsMetrics();
        var processor = new StreamProcessor(1, maxReplacements: 2, NullLogger.Instance, metrics, (_, _) =>
            (Running(), Task.FromException(new KafkaException(ErrorCode.Local_Transport))));

        var error = await Assert.ThrowsAsync<StreamsFatalException>(() => processor.RunAsync(CancellationToken.None));

        Assert.Equal(3, processor.Replacements);
        Assert.Contains("StreamThread-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_that_is_not_a_client_error_is_not_retried()
    {
        using var metrics = new StreamsMetrics();
        var starts = 0;
        var processor = new StreamProcessor(1, maxReplacements: 5, NullLogger.Instance, metrics, (_, _) =>
        {
            starts++;
            return (Running(), Task.FromException(new StreamsFatalException("changelog truncated")));
        });

        await Assert.ThrowsAsync<StreamsFatalException>(() => processor.RunAsync(CancellationToken.None));

        Assert.Equal(1, starts);
        Assert.Equal(0, processor.Replacements);
    }

    [Fact]
    public async Task A_thread_that_fails_for_good_has_its_reason_in_the_log()
    {
        // A RocksDB store that would not open stopped the processor with "failed for good" and no word of why: only
        // the worker's Kafka and runtime errors were logged, and the processor's own line did not carry the reason.
        using var metrics = new StreamsMetrics();
        var logger = new RecordingLogger();
        var processor = new StreamProcessor(1, maxReplacements: 3, logger, metrics, (_, _) =>
            (Running(), Task.FromException(new IOException("Corruption: CURRENT file does not end with newline"))));

        await Assert.ThrowsAsync<StreamsFatalException>(() => processor.RunAsync(CancellationToken.None));

        var critical = Assert.Single(logger.Entries, e => e.Level == LogLevel.Critical);
        Assert.Contains("StreamThread-1", critical.Message, StringComparison.Ordinal);
        Assert.Contains("Corruption: CURRENT file does not end with newline", critical.Message, StringComparison.Ordinal);
    }

    private static StreamWorkerStatus Running()
    {
        var status = new StreamWorkerStatus();
        status.SetPhase(WorkerPhase.Running);
        return status;
    }
}
