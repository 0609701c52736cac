using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// Records per second through the embedded broker: a raw Confluent.Kafka consume→produce loop with periodic commits,
/// against the runtime running a stateful counting topology (store, changelog, output ids) under each guarantee.
/// Each operation is one record; an iteration moves <see cref="Records"/> records through a fresh set of topics.
/// The "Joined" pair compares one stream thread with two: each process joins its group before the measurement (the
/// embedded broker holds a second member's join for about a session timeout, which would otherwise be all a
/// two-thread run measured), and the measured part produces the input and waits until it is all processed.
/// The Streamiz pair is the same counting topology in Streamiz.Kafka.Net 1.8.2 (<see cref="StreamizCounting"/>), a
/// peer for comparison: it reports no processed count, so its run ends when the group has committed every input.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class StreamThroughputBenchmarks
{
    public const int Records = 30_000;
    private const int Partitions = 3;
    private EmbeddedKafkaCluster _cluster = null!;
    private KafkaOptions _options = null!;
    private int _iteration;
    private string _input = string.Empty;
    private string _output = string.Empty;

    [GlobalSetup]
    public void Setup() => _cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    private string _streamizState = string.Empty;
    private StreamProcessor? _joined;
    private CancellationTokenSource? _stopJoined;
    private Task? _joinedRunning;

    [IterationSetup(Targets = [nameof(RawConsumeProducePassthrough), nameof(RuntimeCountingAtLeastOnce), nameof(RuntimeCountingExactlyOnceV2)])]
    public void FreshTopics()
    {
        FreshTopicsWithoutInput(Partitions);
        ProduceInput();
    }

    [IterationSetup(Targets = [nameof(StreamizCountingAtLeastOnce), nameof(StreamizCountingExactlyOnce)])]
    public void FreshTopicsForStreamiz()
    {
        FreshTopicsWithoutInput(Partitions);
        foreach (var topic in StreamizCounting.InternalTopics(_options.ApplicationId))
        {
            _cluster.CreateTopic(topic, Partitions);
        }

        _streamizState = Directory.CreateTempSubdirectory("bench-streamiz-").FullName;
        ProduceInput();
    }

    [IterationCleanup(Targets = [nameof(StreamizCountingAtLeastOnce), nameof(StreamizCountingExactlyOnce)])]
    public void RemoveStreamizState() => Directory.Delete(_streamizState, recursive: true);

    [IterationSetup(Targets = [nameof(RuntimeJoinedOneThread)])]
    public void JoinOneThread() => Join(threads: 1);

    [IterationSetup(Targets = [nameof(RuntimeJoinedTwoThreads)])]
    public void JoinTwoThreads() => Join(threads: 2);

    [IterationCleanup(Targets = [nameof(RuntimeJoinedOneThread), nameof(RuntimeJoinedTwoThreads)])]
    public void StopJoined()
    {
        _stopJoined!.Cancel();
        _joinedRunning!.GetAwaiter().GetResult();
        _stopJoined.Dispose();
    }

    private void FreshTopicsWithoutInput(int partitions)
    {
        _iteration++;
        var app = $"bench-{_iteration}";
        _options = new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, ApplicationId = app, FetchWaitMaxMs = 10, CommitIntervalMs = 100 };
        _input = $"{app}.in";
        _output = $"{app}.out";
        foreach (var topic in new[] { _input, _output, $"{app}-{CountingProcessor.Store}-changelog", $"{app}.dlq" })
        {
            _cluster.CreateTopic(topic, partitions);
        }
    }

    private void ProduceInput()
    {
        using var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(_options, "bench-input")).Build();
        var value = new byte[100];
        for (var i = 0; i < Records; i++)
        {
            producer.Produce(_input, new Message<string, byte[]> { Key = $"customer-{i % 1_000}", Value = value });
        }

        producer.Flush(TimeSpan.FromSeconds(60));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public void RawConsumeProducePassthrough() => RawPassthrough.Run(_options, [_input], _output, Records, TimeSpan.FromMinutes(5));

    [Benchmark(OperationsPerInvoke = Records)]
    public void RuntimeCountingAtLeastOnce() => RunRuntime(ProcessingGuarantee.AtLeastOnce);

    [Benchmark(OperationsPerInvoke = Records)]
    public void RuntimeCountingExactlyOnceV2() => RunRuntime(ProcessingGuarantee.ExactlyOnceV2);

    [Benchmark(OperationsPerInvoke = Records)]
    public void StreamizCountingAtLeastOnce() => StreamizCounting.Run(_options, _input, _output, exactlyOnce: false, Records, _streamizState);

    [Benchmark(OperationsPerInvoke = Records)]
    public void StreamizCountingExactlyOnce() => StreamizCounting.Run(_options, _input, _output, exactlyOnce: true, Records, _streamizState);

    [Benchmark(OperationsPerInvoke = Records)]
    public void RuntimeJoinedOneThread() => ProduceAndAwaitJoined();

    [Benchmark(OperationsPerInvoke = Records)]
    public void RuntimeJoinedTwoThreads() => ProduceAndAwaitJoined();

    /// <summary>Starts a processor of <paramref name="threads"/> threads on empty topics and waits until every thread owns partitions.</summary>
    private void Join(int threads)
    {
        FreshTopicsWithoutInput(partitions: 4);
        var topology = CountingProcessor.Topology(_options.ApplicationId, _input, _output, $"{_options.ApplicationId}.dlq");
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, InstanceId = _options.ApplicationId, Threads = threads };
        _joined = new StreamProcessor(_options, streams, topology, TimeProvider.System, NullLogger<StreamWorker>.Instance, _options.ApplicationId, new StreamsMetrics());
        _stopJoined = new CancellationTokenSource();
        _joinedRunning = _joined.RunAsync(_stopJoined.Token);
        var deadline = Environment.TickCount64 + 120_000;
        while (!(_joined.Status.IsReady && _joined.Status.Threads.Count == threads && _joined.Status.Threads.All(t => t.Partitions.Count > 0)))
        {
            if (Environment.TickCount64 > deadline || _joinedRunning.IsCompleted)
            {
                // Say what the threads were doing, and why the processor ended if it did: a bare timeout named neither.
                var seen = string.Join(", ", _joined.Status.Threads.Select(t => $"{t.Name} {t.State} with {t.Partitions.Count} partitions"));
                throw new InvalidOperationException(
                    $"{threads} stream threads did not all join within 120 s (phase {_joined.Status.Phase}; {seen}).", _joinedRunning.Exception?.InnerException);
            }

            Thread.Sleep(20);
        }
    }

    private void ProduceAndAwaitJoined()
    {
        ProduceInput();
        while (_joined!.Status.RecordsConsumed < Records && !_joinedRunning!.IsCompleted)
        {
            Thread.Sleep(2);
        }
    }

    private void RunRuntime(ProcessingGuarantee guarantee)
    {
        var topology = CountingProcessor.Topology(_options.ApplicationId, _input, _output, $"{_options.ApplicationId}.dlq");
        var worker = new StreamWorker(_options, new StreamsOptions { ProcessingGuarantee = guarantee, InstanceId = _options.ApplicationId }, topology,
            TimeProvider.System, NullLogger<StreamWorker>.Instance, $"{_options.ApplicationId}-worker");
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        while (worker.Status.RecordsConsumed < Records && !running.IsCompleted)
        {
            Thread.Sleep(5);
        }

        stop.Cancel();
        running.GetAwaiter().GetResult();
    }
}
