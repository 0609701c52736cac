using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What a stream thread is given by its worker and keeps across rebuilds of its clients: configuration, topology,
/// clock, logging, metrics, observers and status, the repartition purge, and the once-per-topic warning about
/// mis-partitioned keys.
/// </summary>
internal sealed class StreamThreadContext(
    KafkaOptions kafka, StreamsOptions streams, StreamTopology topology, TimeProvider time, ILogger logger, string clientId,
    StreamsMetrics metrics, IReadOnlyList<ICommitObserver> observers, StreamWorkerStatus status, int thread)
{
    /// <summary>Topics whose mis-partitioned keys were logged already: the fix is logged once per topic, then only counted.</summary>
    private readonly HashSet<string> _misPartitionedTopics = new(StringComparer.Ordinal);

    public KafkaOptions Kafka { get; } = kafka;

    public StreamsOptions Streams { get; } = streams;

    public StreamTopology Topology { get; } = topology;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Where the thread's Kafka clients write their own log lines (into <see cref="Logger"/>, throttled), kept across rebuilds.</summary>
    public Action<IClient, LogMessage> ClientLog { get; } = KafkaClientLog.To(logger, time);

    public string ClientId { get; } = clientId;

    public StreamsMetrics Metrics { get; } = metrics;

    public IReadOnlyList<ICommitObserver> Observers { get; } = observers;

    public StreamWorkerStatus Status { get; } = status;

    /// <summary>Deletes what this thread committed on the repartition topics, now and then; null when the worker purges nothing.</summary>
    public RepartitionPurge? Purge { get; init; }

    /// <summary>Where the thread's tasks keep RocksDB stores, and the memory they share; null when stores are kept in memory.</summary>
    public LocalStateRoot? LocalState { get; init; }

    /// <summary>This thread's number in its process (1-based), part of its transactional and group instance ids.</summary>
    public int Thread { get; } = thread;

    /// <summary>
    /// Records how old <paramref name="record"/> is as <paramref name="task"/>'s stage takes it. The first stage's age is
    /// the input hop; a later stage's adds the stages and hops before it, since a repartitioned record keeps its timestamp.
    /// </summary>
    public void RecordAge(StreamTask task, StreamRecord record)
    {
        if (record.TimestampMs >= 0)
        {
            var ageMs = Math.Max(0, Time.GetUtcNow().ToUnixTimeMilliseconds() - record.TimestampMs);
            Metrics.RecordAge.Record(ageMs, new KeyValuePair<string, object?>("stage", task.SubTopology.Name));
        }
    }

    /// <summary>A task finished restoring: the commit observers see its stores as restored, and a task with stores says so in the log.</summary>
    public void Restored(RestoredTask finished)
    {
        foreach (var observer in Observers)
        {
            foreach (var (name, store) in finished.Task.Stores)
            {
                observer.Restored(name, finished.Key.Partition, store.All());
            }
        }

        if (finished.Task.Stores.Count > 0)
        {
            Log.TaskRestored(Logger, finished.Key.Sub, finished.Key.Partition, finished.Records, finished.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>A record on a partition its key does not hash to: dead-lettered by its task, counted, and the fix logged once per topic.</summary>
    public TaskOutcome RejectMisplaced(StreamTask task, StreamRecord record, int expected, int partitionCount)
    {
        Metrics.MisPartitionedRecords.Add(1, new KeyValuePair<string, object?>("topic", record.Topic));
        if (_misPartitionedTopics.Add(record.Topic))
        {
            Log.MisPartitionedKeys(Logger, record.Topic);
        }

        return task.Reject(record, new MisPartitionedKeyException(record.Topic, record.Partition, expected, partitionCount));
    }

    /// <summary>Source offsets the broker deleted before the thread read them (<see cref="DeletedUnreadCheck"/>, which logs them): counted by topic and in the status.</summary>
    public void DeletedUnread(TopicPartition partition, long from, long to)
    {
        Metrics.DeletedUnread.Add(to - from, new KeyValuePair<string, object?>("topic", partition.Topic));
        Status.FoundDeletedUnread(to - from);
    }
}
