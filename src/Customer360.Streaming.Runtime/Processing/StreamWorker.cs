using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Stores;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One stream thread: a member of the application's consumer group, on a dedicated thread, running the tasks of the
/// partitions it is assigned (a <see cref="StreamProcessor"/> runs several). On assignment it restores each new task's stores from their changelogs before processing; on revocation
/// it commits; on loss it discards without committing. Every commit interval it makes outputs, changelog and input
/// positions durable together (see <see cref="ProcessingGuarantee"/>). A fenced producer rebuilds the worker.
/// </summary>
public sealed class StreamWorker
{
    private readonly StreamThreadContext _context;

    /// <summary>The stores' memory when this worker made it (no processor shares one with it): released when it stops.</summary>
    private readonly RocksDbMemory? _ownMemory;

    /// <param name="stateMemory">The memory its RocksDB stores share with the process's other threads; default: a budget of <c>Streams:StateMemoryMiB</c> of its own.</param>
    public StreamWorker(
        KafkaOptions kafka,
        StreamsOptions streams,
        StreamTopology topology,
        TimeProvider time,
        ILogger<StreamWorker> logger,
        string clientId,
        StreamsMetrics? metrics = null,
        IReadOnlyList<ICommitObserver>? observers = null,
        int thread = 1,
        Func<IRecordDeleter>? recordDeleter = null,
        RocksDbMemory? stateMemory = null)
    {
        metrics ??= new StreamsMetrics();
        if (streams.StateStore == StateStoreKind.RocksDb && stateMemory is null)
        {
            stateMemory = _ownMemory = RocksDbMemory.OfMebibytes(streams.StateMemoryMiB, streams.StateCacheMiB);
        }

        _context = new StreamThreadContext(kafka, streams, topology, time, logger, clientId, metrics, observers ?? [], Status, thread)
        {
            LocalState = stateMemory is null ? null : new LocalStateRoot(streams.ResolvedStateDirectory(topology.ApplicationId), stateMemory),
            // The worker owns its deleter (by default an admin client of its own, made at the first purge).
            Purge = new RepartitionPurge(
                recordDeleter?.Invoke() ?? new AdminRecordDeleter(kafka, clientId + "-purge", KafkaClientLog.To(logger, time)), topology.RepartitionTopics,
                TimeSpan.FromMilliseconds(streams.RepartitionPurgeIntervalMs), time, metrics, logger, clientId),
        };
        if (streams.StateStore == StateStoreKind.RocksDb)
        {
            RocksDbNativeLibrary.BindInBackground();
        }
    }

    public StreamWorkerStatus Status { get; } = new();

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then commits what was processed and leaves the group.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var purge = _context.Purge;
        using var memory = _ownMemory;
        // The name its metrics and status use, so top -H, ps -L and profilers show which thread is the stream thread.
        Thread.CurrentThread.Name = StreamProcessor.ThreadName(_context.Thread);
        for (var generation = 1; ; generation++)
        {
            try
            {
                using var thread = new StreamThread(_context, generation);
                thread.Run(stoppingToken);
                return;
            }
            catch (KafkaException ex) when (ex.Error.IsFatal && !stoppingToken.IsCancellationRequested && generation < 10)
            {
                // A fenced or otherwise fatal producer cannot continue; a new one with the same transactional.id
                // fences any zombie and resumes from the last committed transaction.
                Log.WorkerRebuilding(_context.Logger, _context.ClientId, ex.Error.Code, generation);
            }
            catch (Exception ex) when (ex is KafkaException or StreamsFatalException or StoreCorruptedException or InvalidOperationException)
            {
                Status.Fail(ex.Message);
                Log.WorkerFailed(_context.Logger, ex, _context.ClientId);
                throw;
            }
        }
    }
}
