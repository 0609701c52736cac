using System.Collections.Concurrent;
using Confluent.Kafka;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Options;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Runs the stream threads inside the host, each with its own Redis sink. Startup checks the cluster against
/// topics.yaml and the topology before any record is read, so a missing topic or broken co-partitioning stops the
/// process with a clear message. That check waits for the cluster (up to <c>Kafka:StartupTimeoutSeconds</c>), so it
/// runs once the host has started everything else: the HTTP port answers liveness, and readiness says what it waits for.
/// </summary>
internal sealed class StreamProcessorService : IHostedLifecycleService, IDisposable
{
    private readonly KafkaOptions _kafka;
    private readonly StreamsOptions _streams;
    private readonly TopicCatalog _catalog;
    private readonly StreamTopology _topology;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<StreamProcessorService> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly StreamsMetrics _metrics;
    private readonly PipelineMetrics _pipelineMetrics;
    private readonly RedisConnectionService _redis;
    private readonly RedisOptions _redisOptions;
    private readonly ContextOptions _contextOptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, RedisContextSink> _sinks = new();
    private readonly Func<IRecordDeleter>? _recordDeleter;
    private Task? _running;

    public StreamProcessorService(
        IOptions<KafkaOptions> kafka,
        IOptions<StreamsOptions> streams,
        TopicCatalog catalog,
        StreamTopology topology,
        TimeProvider time,
        ILoggerFactory loggers,
        IHostApplicationLifetime lifetime,
        StreamsMetrics metrics,
        PipelineMetrics pipelineMetrics,
        RedisConnectionService redis,
        IOptions<RedisOptions> redisOptions,
        IOptions<ContextOptions> contextOptions,
        Func<IRecordDeleter>? recordDeleter = null)
    {
        // Registered by a host that runs the embedded broker in-process (the demo); otherwise an admin client's DeleteRecords.
        _recordDeleter = recordDeleter;
        _pipelineMetrics = pipelineMetrics;
        _redis = redis;
        _redisOptions = redisOptions.Value;
        _contextOptions = contextOptions.Value;
        _kafka = kafka.Value;
        _streams = streams.Value;
        _catalog = catalog;
        _topology = topology;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<StreamProcessorService>();
        _lifetime = lifetime;
        _metrics = metrics;
    }

    /// <summary>Held from the start until the service is disposed, after its stream threads closed their stores and clients.</summary>
    private readonly List<ProcessLock> _locks = [];

    /// <summary>The stream threads, once started.</summary>
    public StreamProcessor? Processor { get; private set; }

    /// <summary>One Redis sink per stream thread: each re-asserts the contexts its own thread owns.</summary>
    public IReadOnlyList<RedisContextSink> Sinks => [.. _sinks.Values];

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Before anything connects, and before the HTTP port opens: a folder or an instance id another process holds is a
    /// setting to mend, not a failure to wait out.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_streams.StateStore == StateStoreKind.RocksDb)
        {
            _locks.Add(ProcessLock.StateDirectory(_streams.ResolvedStateDirectory(_kafka.ApplicationId)));
        }

        if (_streams.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2 || _streams.StaticMembership)
        {
            _locks.Add(ProcessLock.Instance(_kafka.ApplicationId, _streams.ResolvedInstanceId));
        }

        return Task.CompletedTask;
    }

    /// <summary>Once every other service started (the HTTP port among them): checks the cluster, then starts the stream threads.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var clientId = $"{_kafka.ApplicationId}-{Environment.ProcessId}";
        var lineage = await Task.Run(
            async () =>
            {
                using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(_kafka, clientId + "-admin")).SetLogHandler(KafkaClientLog.To(_logger, _time)).Build();
                var timeout = TimeSpan.FromSeconds(_kafka.StartupTimeoutSeconds);
                ClusterTopologyCheck.Verify(admin, _catalog.Topics, timeout, _kafka.BootstrapServers);
                _topology.VerifyPartitions(admin.GetMetadata(timeout).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal));
                return await ContextLineage.ReadAsync(admin, _kafka.ApplicationId, timeout);
            },
            cancellationToken);
        if (lineage.Length == 0)
        {
            Log.NoContextLineage(_logger);
        }

        var connection = _redis.Connection ?? throw new InvalidOperationException("Redis is not connected yet.");
        var writer = new RedisContextWriter(connection, new RedisKeys(_redisOptions.KeyPrefix), lineage);
        // A reconnect may mean a restarted Redis that lost its data: every thread re-asserts its contexts at its next
        // commit (or commit interval, when it has nothing to commit), and a thread its outage holds tries at once
        // rather than at the end of its backoff.
        connection.ConnectionRestored += (_, _) =>
        {
            foreach (var sink in Sinks)
            {
                sink.Reconnected();
            }
        };
        Processor = new StreamProcessor(
            _kafka, _streams, _topology, _time, _loggers.CreateLogger<StreamWorker>(), clientId, _metrics,
            thread => [_sinks.GetOrAdd(thread, _ => new RedisContextSink(
                writer, _contextOptions.ToIdentitySettings().AnonymousContextTtl, _time, _pipelineMetrics,
                _loggers.CreateLogger<RedisContextSink>()))],
            _recordDeleter);
        _running = Processor.RunAsync(_stopping.Token);
        _ = _running.ContinueWith(OnProcessorEnded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Log.ProcessorStarted(_logger, _topology.SourceTopics.Count(), _streams.ResolvedThreads);
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running.WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Already logged by the worker; the exit code says it failed.
            }
        }

        // The last commit's contexts are written in the background: a clean stop waits for them (a stop that cannot
        // leaves them to the next start, which re-asserts every context it restores).
        foreach (var sink in Sinks)
        {
            sink.WhenWritten(RedisContextSink.WriteTimeout);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var held in _locks)
        {
            held.Dispose();
        }
    }

    private void OnProcessorEnded(Task processor)
    {
        if (processor.IsFaulted && !_stopping.IsCancellationRequested)
        {
            Environment.ExitCode = ExitCodes.RuntimeFailure;
            Log.ProcessorStoppingAfterFailure(_logger);
            _lifetime.StopApplication();
        }
    }
}
