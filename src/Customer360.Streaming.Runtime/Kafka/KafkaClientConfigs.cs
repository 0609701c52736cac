using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Builds client configurations with the settings the runtime contract depends on, so no caller can forget them:
/// Java-compatible partitioning for producers and the range assignor for consumers (co-partitioning needs both).
/// </summary>
public static class KafkaClientConfigs
{
    public static ProducerConfig Producer(KafkaOptions options, string clientId)
    {
        var config = new ProducerConfig(ExtraProperties(options, KafkaPropertyScope.ForProducers))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            // murmur2_random hashes keys as the Java client does, so a key lands on the same partition whichever
            // client wrote it; null keys are spread at random.
            Partitioner = Partitioner.Murmur2Random,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = options.LingerMs,
        };
        return config;
    }

    public static ConsumerConfig Consumer(KafkaOptions options, string groupId, string clientId)
    {
        var config = new ConsumerConfig(ExtraProperties(options, KafkaPropertyScope.ForConsumers))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = groupId,
            ClientId = clientId,
            // Range assigns partition N of every subscribed topic to the same member, which co-partitioned joins need;
            // cooperative-sticky would split them.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = options.FetchWaitMaxMs,
            EnablePartitionEof = false,
        };

        // While its queue of prefetched records is over queued.min.messages, the client fetches a partition again only
        // after this long (1,000 ms by default). On a backlog that queue is full of input, and a task waiting for its own
        // repartition output waited a second for it, holding every task: retry after a fetch wait instead.
        if (!options.Properties.ContainsKey(FetchQueueBackoff))
        {
            config.Set(FetchQueueBackoff, options.FetchWaitMaxMs.ToString(CultureInfo.InvariantCulture));
        }

        return config;
    }

    /// <summary>
    /// A stream thread's consumer: end-of-partition events say when a partition is caught up, so a task knows whether
    /// to wait for it; under static membership the thread keeps its member identity across restarts.
    /// </summary>
    public static ConsumerConfig StreamConsumer(KafkaOptions kafka, StreamsOptions streams, string applicationId, int thread, string clientId)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var config = Consumer(kafka, applicationId, clientId);
        config.EnablePartitionEof = true;
        config.GroupInstanceId = streams.GroupInstanceId(applicationId, thread);
        return config;
    }

    /// <summary>
    /// A stream thread's producer: under exactly_once_v2 its transactional id is stable across restarts of this
    /// instance, so a restart fences the previous run's open transaction.
    /// </summary>
    public static ProducerConfig StreamProducer(KafkaOptions kafka, StreamsOptions streams, string applicationId, int thread, string clientId)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var config = Producer(kafka, clientId);
        if (streams.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2)
        {
            config.TransactionalId = streams.ThreadInstanceId(applicationId, thread);
            config.TransactionTimeoutMs = streams.TransactionTimeoutMs;
        }

        KafkaRecordCollector.ReportOnlyStatus(config);
        return config;
    }

    public static AdminClientConfig Admin(KafkaOptions options, string clientId) =>
        new(ExtraProperties(options, KafkaPropertyScope.ForProducers))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
        };

    private const string FetchQueueBackoff = "fetch.queue.backoff.ms";

    /// <summary>
    /// The <c>Kafka:Properties</c> this kind of client reads: one given a setting of the other kind would only log that
    /// it ignores it (admin clients are producers to librdkafka).
    /// </summary>
    private static Dictionary<string, string> ExtraProperties(KafkaOptions options, Func<string, string, bool> forThisKind) =>
        options.Properties.Where(setting => forThisKind(setting.Key, setting.Value)).ToDictionary(StringComparer.Ordinal);
}
