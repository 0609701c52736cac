using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Sends task output through the thread's one producer and remembers only what a commit needs: how many records went
/// out since the last one, the topic and timestamp of each output whose latency is reported (not the repartition and
/// changelog records, which are most of what a thread sends), the last acknowledged offset per changelog and
/// repartition partition, how many records sent to each repartition topic are not acknowledged yet (so a task of this
/// thread that reads one waits for its own stage's output, <see cref="OwnOutputCheck"/>), and the first failed
/// delivery. Keys and values are not kept: the producer owns them until delivery. The beforeSend action runs before
/// each record is produced: under exactly_once_v2 it opens the transaction, so a transaction exists only when
/// something is written in it.
/// </summary>
internal sealed class KafkaRecordCollector : IRecordCollector
{
    /// <summary>
    /// How long one <see cref="IProducer{TKey,TValue}.Flush(TimeSpan)"/> call may wait. A flush waits for delivery reports
    /// in slices of up to 10 ms, but the client's background thread serves most of them, and a slice that misses the
    /// last one sleeps out its 10 ms. Measured on the embedded broker (20 records, linger 5 ms, 400 flushes): one long
    /// flush took p50 0.4 ms, p90 10.4 ms, mean 3.8 ms; 1 ms slices took p50 1.2 ms, p90 1.3 ms, mean 0.8 ms. A commit
    /// flushes twice, and the stream thread waits for both.
    /// </summary>
    private static readonly TimeSpan FlushSlice = TimeSpan.FromMilliseconds(1);

    /// <summary>How long a send waits for acknowledgements to make room in a full producer queue before it tries again.</summary>
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The longest a send waits for room in a full producer queue (Kafka's <c>max.block.ms</c> default): beyond it the
    /// broker is not taking records, and the thread fails as on any client error.
    /// </summary>
    private static readonly TimeSpan QueueFullPatience = TimeSpan.FromSeconds(60);

    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TimeProvider _time;
    private readonly Action _beforeSend;
    private readonly Func<string, bool> _reportsLatency;

    /// <summary>The first delivery that failed since the last check: one is enough to refuse the commit, and later ones add nothing.</summary>
    private DeliveryFailure? _firstDeliveryFailure;
    private readonly List<SentOutput> _outputsSinceCommit = [];

    /// <summary>
    /// The offset of the last acknowledged record per partition sent to explicitly (changelogs) or of a repartition
    /// topic. One object per partition, so a partition group holds its own partitions' objects and reads them without
    /// a lookup (<see cref="OwnOutputCheck"/>).
    /// </summary>
    private readonly ConcurrentDictionary<TopicPartition, AcknowledgedOffset> _acknowledged = new();

    /// <summary>Per repartition topic, the records sent whose delivery was not reported yet (their partition is not known until then).</summary>
    private readonly Dictionary<string, StrongBox<int>> _unacknowledgedByTopic;

    /// <summary>Delivery handlers made once: a handler per record would allocate a closure for every record sent.</summary>
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onDelivery;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onExplicitDelivery;
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _onRepartitionDelivery;

    /// <param name="reportsLatency">Whether an output to this topic counts in the output latency (the thread's own internal topics do not).</param>
    /// <param name="repartitionTopics">The topology's repartition topics, which tasks of this thread may read.</param>
    /// <param name="time">The clock a flush's timeout is measured with (default: the system's).</param>
    public KafkaRecordCollector(
        IProducer<byte[]?, byte[]?> producer, Action beforeSend, Func<string, bool> reportsLatency, IEnumerable<string> repartitionTopics, TimeProvider? time = null)
    {
        _producer = producer;
        _time = time ?? TimeProvider.System;
        _beforeSend = beforeSend;
        _reportsLatency = reportsLatency;
        _unacknowledgedByTopic = repartitionTopics.ToDictionary(t => t, _ => new StrongBox<int>(), StringComparer.Ordinal);
        _onDelivery = report => NoteFailure(report);
        _onExplicitDelivery = report => Acknowledge(report);
        _onRepartitionDelivery = report =>
        {
            Acknowledge(report);
            Interlocked.Decrement(ref _unacknowledgedByTopic[report.Topic].Value);
        };
    }

    /// <summary>
    /// Sets the producer's delivery reports to carry the status only (with topic, partition and offset, which
    /// librdkafka always gives): this collector reads nothing else, and marshalling each record's key, value, headers
    /// and timestamp back would copy every record sent a second time.
    /// </summary>
    public static void ReportOnlyStatus(ProducerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Set(ConfigPropertyNames.Producer.DeliveryReportFields, "status");
    }

    /// <summary>Records sent since the last commit (outputs, repartition, changelog and dead letters).</summary>
    public int SentSinceCommit { get; private set; }

    /// <summary>
    /// Since the last commit, the time of the freshest thing processed while a task asked for a commit soon, or null
    /// when none asked (<see cref="IProcessorContext.RequestCommit"/>).
    /// </summary>
    public long? CommitRequestedForMs { get; private set; }

    public void RequestCommit(long causeTimestampMs) =>
        CommitRequestedForMs = Math.Max(CommitRequestedForMs ?? long.MinValue, causeTimestampMs);

    public void Send(OutgoingRecord record)
    {
        _beforeSend();
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key,
            Value = record.Value,
            Timestamp = new Timestamp(record.TimestampMs, TimestampType.CreateTime),
        };
        if (record.Headers.Count > 0)
        {
            message.Headers = [];
            foreach (var (name, value) in record.Headers)
            {
                message.Headers.Add(name, value);
            }
        }

        long? queueFullSince = null;
        while (!TryProduce(record, message, ref queueFullSince))
        {
            // The producer's queue is full (queue.buffering.max.messages or .kbytes): backpressure, as a Kafka Streams
            // send blocks, until acknowledgements make room.
            _producer.Flush(QueueFullWait);
        }

        SentSinceCommit++;
        if (record.Partition is null && _reportsLatency(record.Topic))
        {
            _outputsSinceCommit.Add(new SentOutput(record.Topic, record.TimestampMs));
        }
    }

    /// <summary>
    /// Hands <paramref name="message"/> to the producer; false while its queue is full, for at most
    /// <see cref="QueueFullPatience"/> from <paramref name="queueFullSince"/> (after that the full queue is the failure).
    /// </summary>
    private bool TryProduce(OutgoingRecord record, Message<byte[]?, byte[]?> message, ref long? queueFullSince)
    {
        try
        {
            if (record.Partition is { } partition)
            {
                _producer.Produce(new TopicPartition(record.Topic, partition), message, _onExplicitDelivery);
            }
            else if (_unacknowledgedByTopic.TryGetValue(record.Topic, out var unacknowledged))
            {
                _producer.Produce(record.Topic, message, _onRepartitionDelivery);
                Interlocked.Increment(ref unacknowledged.Value);
            }
            else
            {
                _producer.Produce(record.Topic, message, _onDelivery);
            }

            return true;
        }
        catch (ProduceException<byte[]?, byte[]?> full) when (full.Error.Code == ErrorCode.Local_QueueFull)
        {
            queueFullSince ??= _time.GetTimestamp();
            if (_time.GetElapsedTime(queueFullSince.Value) > QueueFullPatience)
            {
                throw;
            }

            return false;
        }
        catch (ProduceException<byte[]?, byte[]?> tooLarge) when (tooLarge.Error.Code == ErrorCode.MsgSizeTooLarge)
        {
            // Not a passing client error: a replaced thread replays to the same record and fails on it again.
            throw new StreamsFatalException(
                string.Create(CultureInfo.InvariantCulture, $"A record of {record.ContentBytes:N0} bytes (key, value and headers) for {record.Topic} is larger than the producer sends ")
                + "(Kafka:Properties:message.max.bytes, 1,000,000 by default): no retry can send it.",
                tooLarge);
        }
    }

    /// <summary>
    /// For a partition of one of the repartition topics, the check whether a record this thread sent there may lie at
    /// or past an end offset where a consumer's end of the partition is: one sent to the topic is not acknowledged yet
    /// (its partition unknown), or one was acknowledged there at or past that end. Null for any other topic. The check
    /// reads two counters, without hashing: the partition group runs it for every record it hands out.
    /// </summary>
    public Func<long, bool>? OwnOutputCheck(TopicPartition partition)
    {
        if (!_unacknowledgedByTopic.TryGetValue(partition.Topic, out var unacknowledged))
        {
            return null;
        }

        var acknowledged = AcknowledgedAt(partition);
        return endOffset => Volatile.Read(ref unacknowledged.Value) > 0 || acknowledged.Offset >= endOffset;
    }

    private AcknowledgedOffset AcknowledgedAt(TopicPartition partition) => _acknowledged.GetOrAdd(partition, static _ => new AcknowledgedOffset());

    private void Acknowledge(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (!NoteFailure(report))
        {
            AcknowledgedAt(report.TopicPartition).Raise(report.Offset.Value);
        }
    }

    /// <summary>Keeps the first delivery failure since the last check; true when <paramref name="report"/> is one.</summary>
    private bool NoteFailure(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (!report.Error.IsError)
        {
            return false;
        }

        Interlocked.CompareExchange(ref _firstDeliveryFailure, new DeliveryFailure(report.Error, report.Topic), null);
        return true;
    }

    /// <summary>The offset of the last record acknowledged on <paramref name="partition"/>, if any was sent to it explicitly or to a repartition topic.</summary>
    public long? AcknowledgedOffset(TopicPartition partition) =>
        _acknowledged.TryGetValue(partition, out var acknowledged) && acknowledged.Offset is var offset and >= 0 ? offset : null;

    /// <summary>Waits until everything sent is acknowledged; throws if any delivery failed (nothing may be committed then).</summary>
    public void FlushAndCheck(TimeSpan timeout)
    {
        var started = _time.GetTimestamp();
        int remaining;
        do
        {
            remaining = _producer.Flush(FlushSlice);
        }
        while (remaining > 0 && _time.GetElapsedTime(started) < timeout);

        if (remaining > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{remaining} records not acknowledged within {timeout.TotalSeconds:0} s"));
        }

        if (Interlocked.Exchange(ref _firstDeliveryFailure, null) is { } failure)
        {
            throw failure.Error.Code == ErrorCode.MsgSizeTooLarge
                ? new StreamsFatalException($"The broker refused a record for {failure.Topic} as larger than it accepts (the topic's max.message.bytes, or the broker's message.max.bytes): no retry can send it.", new KafkaException(failure.Error))
                : new KafkaException(failure.Error);
        }
    }

    /// <summary>The reported outputs a successful commit made durable (records not sent to an explicit partition), and forgets them.</summary>
    public IReadOnlyList<SentOutput> TakeOutputs()
    {
        var sent = _outputsSinceCommit.ToArray();
        Forget();
        return sent;
    }

    /// <summary>Nothing sent since the last commit will be committed (an aborted transaction, lost partitions).</summary>
    public void DiscardSent()
    {
        Forget();
        Interlocked.Exchange(ref _firstDeliveryFailure, null);
    }

    private void Forget()
    {
        _outputsSinceCommit.Clear();
        SentSinceCommit = 0;
        CommitRequestedForMs = null;
    }

    /// <summary>The first failed delivery since the last check, and the topic it was for.</summary>
    private sealed record DeliveryFailure(Error Error, string Topic);
}

/// <summary>An output record as a commit reports it: where it went and the event time it carries.</summary>
internal readonly record struct SentOutput(string Topic, long TimestampMs);
