using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
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
    private readonly KafkaOptions _kafka;
    private readonly StreamsOptions _streams;
    private readonly StreamTopology _topology;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamWorker> _logger;
    private readonly string _clientId;
    private readonly StreamsMetrics _metrics;
    private readonly Func<int, IReadOnlyList<ICommitObserver>> _observers;
    private readonly StreamWorker?[] _threads;
    private int _replacements;

    /// <param name="observers">The commit observers of thread n (1-based): each thread has its own, as each owns its own stores.</param>
    public StreamProcessor(
        KafkaOptions kafka, StreamsOptions streams, StreamTopology topology, TimeProvider time, ILogger<StreamWorker> logger, string clientId,
        StreamsMetrics metrics, Func<int, IReadOnlyList<ICommitObserver>>? observers = null)
    {
        _kafka = kafka;
        _streams = streams;
        _topology = topology;
        _time = time;
        _logger = logger;
        _clientId = clientId;
        _metrics = metrics;
        _observers = observers ?? (_ => []);
        _threads = new StreamWorker?[streams.ResolvedThreads];
        Status = new StreamProcessorStatus(() => [.. _threads.Select((w, i) => (w, i)).Where(t => t.w is not null).Select(t => (ThreadName(t.i + 1), t.w!.Status))]);
        metrics.ObserveThreads(() => Status.Threads);
    }

    public StreamProcessorStatus Status { get; }

    /// <summary>How many failed threads were replaced so far.</summary>
    public int Replacements => Volatile.Read(ref _replacements);

    /// <summary>Runs every thread until <paramref name="stoppingToken"/> fires; faults when a thread fails for good.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
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

            if (failure is not KafkaException || Interlocked.Increment(ref _replacements) > _streams.MaxThreadReplacements)
            {
                Log.ThreadFailedForGood(_logger, ThreadName(thread), _streams.MaxThreadReplacements);
                throw new StreamsFatalException($"Stream thread {ThreadName(thread)} failed: {failure.Message}", failure);
            }

            Log.ThreadReplaced(_logger, ThreadName(thread), Replacements, _streams.MaxThreadReplacements);
            _metrics.ThreadReplacements.Add(1);
            running[Start(thread, stoppingToken)] = thread;
        }
    }

    private Task Start(int thread, CancellationToken stoppingToken)
    {
        var worker = new StreamWorker(
            _kafka, _streams, _topology, _time, _logger, $"{_clientId}-{ThreadName(thread)}", _metrics, _observers(thread), thread);
        _threads[thread - 1] = worker;
        return worker.RunAsync(stoppingToken);
    }

    private static string ThreadName(int thread) => $"StreamThread-{thread}";
}
