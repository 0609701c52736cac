using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The stream threads of one process (Kafka Streams' KafkaStreams client): <c>Streams:Threads</c> workers, each its
/// own member of the application's group with its own consumer and producer (under exactly_once_v2 its own
/// <c>transactional.id</c>), so the group spreads tasks over the threads of every process. A thread that dies of a
/// Kafka client error is replaced by a new one of the same name, at most <c>Streams:MaxThreadReplacements</c> times
/// in the life of the process (Kafka Streams' REPLACE_THREAD); any other failure, or one past the limit, fails the
/// processor.
/// </summary>
public sealed class StreamProcessor
{
    private readonly int _maxReplacements;
    private readonly Func<int, CancellationToken, (StreamWorkerStatus Status, Task Running)> _start;
    private readonly ILogger _logger;
    private readonly StreamsMetrics _metrics;
    private readonly StreamWorkerStatus?[] _threads;
    private readonly RocksDbMemory? _stateMemory;
    private int _replacements;

    /// <param name="observers">The commit observers of thread n (1-based): each thread has its own, as each owns its own stores.</param>
    /// <param name="recordDeleter">Makes each thread's deleter for the repartition purge; default: DeleteRecords through an admin client.</param>
    public StreamProcessor(
        KafkaOptions kafka, StreamsOptions streams, StreamTopology topology, TimeProvider time, ILogger<StreamWorker> logger, string clientId,
        StreamsMetrics metrics, Func<int, IReadOnlyList<ICommitObserver>>? observers = null, Func<IRecordDeleter>? recordDeleter = null)
        : this(streams, SharedStateMemory(streams, metrics), kafka, topology, time, logger, clientId, metrics, observers, recordDeleter)
    {
    }

    private StreamProcessor(
        StreamsOptions streams, RocksDbMemory? stateMemory, KafkaOptions kafka, StreamTopology topology, TimeProvider time, ILogger<StreamWorker> logger,
        string clientId, StreamsMetrics metrics, Func<int, IReadOnlyList<ICommitObserver>>? observers, Func<IRecordDeleter>? recordDeleter)
        : this(streams.ResolvedThreads, streams.MaxThreadReplacements, logger, metrics, (thread, stoppingToken) =>
        {
            var worker = new StreamWorker(
                kafka, streams, topology, time, logger, $"{clientId}-{ThreadName(thread)}", metrics, observers?.Invoke(thread) ?? [], thread, recordDeleter,
                stateMemory);
            return (worker.Status, worker.RunAsync(stoppingToken));
        })
    {
        _stateMemory = stateMemory;
    }

    /// <summary>Runs <paramref name="threads"/> threads that <paramref name="start"/> creates (tests give threads that fail on cue).</summary>
    internal StreamProcessor(
        int threads, int maxReplacements, ILogger logger, StreamsMetrics metrics, Func<int, CancellationToken, (StreamWorkerStatus Status, Task Running)> start)
    {
        _maxReplacements = maxReplacements;
        _start = start;
        _logger = logger;
        _metrics = metrics;
        _threads = new StreamWorkerStatus?[threads];
        Status = new StreamProcessorStatus(() => [.. _threads.Select((status, i) => (status, i)).Where(t => t.status is not null).Select(t => (ThreadName(t.i + 1), t.status!))]);
        metrics.ObserveThreads(() => Status.Threads);
    }

    public StreamProcessorStatus Status { get; }

    /// <summary>How many failed threads were replaced so far.</summary>
    public int Replacements => Volatile.Read(ref _replacements);

    /// <summary>Runs every thread until <paramref name="stoppingToken"/> fires; faults when a thread fails for good.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var stateMemory = _stateMemory;
        var running = new Dictionary<Task, int>();
        for (var thread = 1; thread <= _threads.Length; thread++)
        {
            running[Start(thread, stoppingToken)] = thread;
        }

        while (running.Count > 0)
        {
            var ended = await Task.WhenAny(running.Keys);
            var thread = running[ended];
            running.Remove(ended);
            if (ended.Exception?.InnerException is not { } failure || stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            if (failure is not KafkaException || Interlocked.Increment(ref _replacements) > _maxReplacements)
            {
                // The reason is said here: a worker logs only the failures it knows (client and runtime errors), and
                // anything else (a store that would not open) otherwise ended the process without a word of why.
                Log.ThreadFailedForGood(_logger, failure, ThreadName(thread), _maxReplacements, failure.Message);
                throw new StreamsFatalException($"Stream thread {ThreadName(thread)} failed: {failure.Message}", failure);
            }

            Log.ThreadReplaced(_logger, ThreadName(thread), Replacements, _maxReplacements);
            _metrics.ThreadReplacements.Add(1);
            running[Start(thread, stoppingToken)] = thread;
        }
    }

    private Task Start(int thread, CancellationToken stoppingToken)
    {
        var (status, task) = _start(thread, stoppingToken);
        if (_threads[thread - 1] is { } replaced)
        {
            Status.Retire(replaced);
        }

        _threads[thread - 1] = status;
        return task;
    }

    /// <summary>The memory every thread's RocksDB stores share, seen by the metrics; none when stores are kept in memory.</summary>
    private static RocksDbMemory? SharedStateMemory(StreamsOptions streams, StreamsMetrics metrics)
    {
        if (streams.StateStore != StateStoreKind.RocksDb)
        {
            return null;
        }

        var memory = RocksDbMemory.OfMebibytes(streams.StateMemoryMiB, streams.StateCacheMiB);
        metrics.ObserveStateMemory(memory);
        return memory;
    }

    /// <summary>A stream thread's name in the status, the logs' client ids and the metrics' <c>thread</c> tag.</summary>
    internal static string ThreadName(int thread) => $"StreamThread-{thread}";
}
