using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One consumer in the application's group, on a dedicated thread: consumes the source topics, hands each record to
/// the processor, and commits processed positions every commit interval (at least once: a position is committed only
/// after its record was processed). Revoked partitions are committed before hand-off; lost partitions never are.
/// </summary>
public sealed class StreamWorker
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);

    private readonly KafkaOptions _options;
    private readonly IReadOnlyList<string> _sourceTopics;
    private readonly IRecordProcessor _processor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _clientId;

    public StreamWorker(
        KafkaOptions options,
        IReadOnlyList<string> sourceTopics,
        IRecordProcessor processor,
        TimeProvider time,
        ILogger<StreamWorker> logger,
        string clientId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sourceTopics);
        if (sourceTopics.Count == 0)
        {
            throw new ArgumentException("A worker needs at least one source topic.", nameof(sourceTopics));
        }

        _options = options;
        _sourceTopics = sourceTopics;
        _processor = processor;
        _time = time;
        _logger = logger;
        _clientId = clientId;
    }

    public StreamWorkerStatus Status { get; } = new();

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then commits what was processed and leaves the group.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(
            () => Run(stoppingToken),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var config = KafkaClientConfigs.Consumer(_options, _options.ApplicationId, _clientId);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler((_, error) => OnError(error))
            .Build();

        Status.SetPhase(WorkerPhase.Joining);
        consumer.Subscribe(_sourceTopics);
        Log.WorkerStarted(_logger, _clientId, _sourceTopics.Count, _options.ApplicationId);

        var commitInterval = TimeSpan.FromMilliseconds(_options.CommitIntervalMs);
        var lastCommit = _time.GetTimestamp();
        try
        {
            while (!stoppingToken.IsCancellationRequested && Status.Phase != WorkerPhase.Failed)
            {
                var record = consumer.Consume(PollTimeout);
                if (record is not null)
                {
                    _processor.Process(record);
                    consumer.StoreOffset(record);
                    Status.Consumed(record.TopicPartitionOffset);
                }

                if (_time.GetElapsedTime(lastCommit) >= commitInterval)
                {
                    Commit(consumer);
                    lastCommit = _time.GetTimestamp();
                }
            }

            Status.SetPhase(WorkerPhase.Stopping);
            Commit(consumer);
            consumer.Close();
            Status.SetPhase(WorkerPhase.Stopped);
            Log.WorkerStopped(_logger, _clientId, Status.RecordsConsumed);
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            Status.Fail(ex.Message);
            Log.WorkerFailed(_logger, ex, _clientId);
            throw;
        }

        if (Status.Failure is { } failure)
        {
            throw new InvalidOperationException($"Stream worker {_clientId} failed: {failure}");
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            var started = _time.GetTimestamp();
            var committed = consumer.Commit();
            Status.Committed(committed);
            Log.Committed(_logger, committed.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing was processed since the last commit.
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        Status.Assigned(partitions);
        Log.PartitionsAssigned(_logger, _clientId, partitions.Count);
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        // The next owner starts from the committed position: commit what this worker finished before hand-off.
        Commit(consumer);
        Status.Released(partitions.Select(p => p.TopicPartition));
        Log.PartitionsRevoked(_logger, _clientId, partitions.Count);
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        // Another member may already own these partitions: committing now could overwrite its progress.
        Status.Released(partitions.Select(p => p.TopicPartition));
        Log.PartitionsLost(_logger, _clientId, partitions.Count);
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            Status.Fail(error.Reason);
            Log.FatalClientError(_logger, _clientId, error.Code, error.Reason);
        }
        else
        {
            Log.TransientClientError(_logger, _clientId, error.Code, error.Reason);
        }
    }
}
