using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A stop is bounded. Leaving the group can wait on the coordinator for as long as it holds the member's LeaveGroup
/// behind a join that waits for another member (the embedded broker held one past 30 s in the scale-out test): the
/// stream thread commits first, waits for the leave at most <c>Streams:CloseTimeoutMs</c>, and ends.
/// </summary>
public sealed class ShutdownTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Stopping_WhileAnotherMembersJoinIsPending_EndsWithinTheCloseBound_WithEverythingCommitted()
    {
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(Stopping_WhileAnotherMembersJoinIsPending_EndsWithinTheCloseBound_WithEverythingCommitted)), inputPartitions: 4);
        var (options, input) = (topics.Options, topics.Input);
        await ProduceAsync(options, input, 40);
        var logs = new RecordingLogger<StreamWorker>();
        using var stop = new CancellationTokenSource();
        var worker = new StreamWorker(
            options, new StreamsOptions { StateStore = StateStoreKind.InMemory, CloseTimeoutMs = 1_000 }, topics.Topology(),
            TimeProvider.System, logs, "leaving");
        var running = worker.RunAsync(stop.Token);
        string State() => $"worker {worker.Status.Phase}, assigned {string.Join(",", worker.Status.AssignedPartitions.Select(p => p.Partition.Value))}, committed {worker.Status.CommittedOffsets.Values.Sum()}";
        await WaitUntil(() => worker.Status.CommittedOffsets.Values.Sum() >= 40 || running.IsCompleted, State);

        // A second member joins; the embedded broker holds its join (and so the group's next generation) until the
        // worker's session expires, and librdkafka queues the worker's LeaveGroup behind that pending rebalance.
        using var joining = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = options.BootstrapServers, GroupId = options.ApplicationId }).Build();
        joining.Subscribe(input);
        using var joiningStop = new CancellationTokenSource();
        var joiningPolls = Task.Run(() =>
        {
            while (!joiningStop.IsCancellationRequested)
            {
                joining.Consume(TimeSpan.FromMilliseconds(100));
            }
        }, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var stopping = System.Diagnostics.Stopwatch.StartNew();

        await stop.CancelAsync();
        var ended = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        TestContext.Current.TestOutputHelper?.WriteLine($"stopped after {stopping.Elapsed.TotalSeconds:0.0} s: {State()}");
        Assert.Same(running, ended);
        await running;
        Assert.Equal(WorkerPhase.Stopped, worker.Status.Phase);
        Assert.Contains(logs.Recorded.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Streams:CloseTimeoutMs", StringComparison.Ordinal));
        Assert.Equal(40, worker.Status.CommittedOffsets.Values.Sum());
        await joiningStop.CancelAsync();
        await joiningPolls;
    }

    private static async Task ProduceAsync(KafkaOptions options, string topic, int count)
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "shutdown-test")).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = "x" });
        }
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> state)
    {
        for (var waited = 0; !condition() && waited < 30_000; waited += 50)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), state());
    }
}
