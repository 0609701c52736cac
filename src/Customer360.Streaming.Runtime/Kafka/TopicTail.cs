using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Follows a topic from its end, on a thread of its own, handing each new record to a callback: for tools that watch
/// what a processor emits (the demo's live view, the simulator's trigger responses). It reads without a group, so it
/// commits nothing and never disturbs a consumer group.
/// </summary>
public sealed class TopicTail : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _failures;

    private TopicTail(IConsumer<byte[]?, byte[]?> consumer, Action<ConsumeResult<byte[]?, byte[]?>> onRecord)
    {
        _loop = Task.Factory.StartNew(() => Follow(consumer, onRecord), _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Records the consumer could not read. The callback handles its own errors.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Starts following every partition of <paramref name="topic"/>: at its current end, or up to
    /// <paramref name="recentPerPartition"/> records before it, so a watcher that starts late still sees the latest.
    /// </summary>
    /// <param name="readUncommitted">See records as soon as they are written, as a read_uncommitted subscriber does
    /// (the default waits for transactions to commit).</param>
    /// <param name="clientLog">Where its clients' own log lines go (<see cref="KafkaClientLog"/>); by default nowhere.</param>
    public static TopicTail Start(
        KafkaOptions kafka, string topic, string clientId, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, TimeSpan metadataTimeout, int recentPerPartition = 0,
        bool readUncommitted = false, Action<IClient, LogMessage>? clientLog = null)
    {
        clientLog ??= KafkaClientLog.Discard;
        ArgumentOutOfRangeException.ThrowIfNegative(recentPerPartition);
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(onRecord);
        int partitions;
        using (var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, clientId)).SetLogHandler(clientLog).Build())
        {
            var metadata = admin.GetMetadata(topic, metadataTimeout).Topics.Single();
            if (metadata.Error.IsError)
            {
                throw new KafkaException(metadata.Error);
            }

            partitions = metadata.Partitions.Count;
        }

        var config = KafkaClientConfigs.Consumer(kafka, clientId, clientId);
        if (readUncommitted)
        {
            config.IsolationLevel = IsolationLevel.ReadUncommitted;
        }

        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler(clientLog).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, StartOffset(consumer, new TopicPartition(topic, p), recentPerPartition, metadataTimeout))));
        return new TopicTail(consumer, onRecord);
    }

    private static Offset StartOffset(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, int recent, TimeSpan timeout)
    {
        if (recent == 0)
        {
            return Offset.End;
        }

        var watermarks = consumer.QueryWatermarkOffsets(partition, timeout);
        return new Offset(Math.Max(watermarks.Low.Value, watermarks.High.Value - recent));
    }

    private void Follow(IConsumer<byte[]?, byte[]?> consumer, Action<ConsumeResult<byte[]?, byte[]?>> onRecord)
    {
        using (consumer)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
                    {
                        onRecord(record);
                    }
                }
                catch (ConsumeException)
                {
                    // A watcher must not stop on one unreadable record: count it, and the owner reports the count.
                    Interlocked.Increment(ref _failures);
                }
            }

            consumer.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
