using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Sends task output through the thread's one producer and remembers only what a commit needs: how many records went
/// out since the last one, each output's topic and timestamp (for output latency), the last acknowledged offset per
/// changelog partition, and the first failed delivery. Keys and values are not kept: the producer owns them until
/// delivery. <paramref name="beforeSend"/> runs before each record is produced: under
/// exactly_once_v2 it opens the transaction, so a transaction exists only when something is written in it.
/// </summary>
internal sealed class KafkaRecordCollector(IProducer<byte[]?, byte[]?> producer, Action beforeSend) : IRecordCollector
{
    /// <summary>The first delivery that failed since the last check: one is enough to refuse the commit, and later ones add nothing.</summary>
    private Error? _firstDeliveryError;
    private readonly List<SentOutput> _outputsSinceCommit = [];

    /// <summary>The offset of the last acknowledged record per partition sent to explicitly (changelogs).</summary>
    private readonly ConcurrentDictionary<TopicPartition, long> _acknowledged = new();

    /// <summary>Records sent since the last commit (outputs, repartition, changelog and dead letters).</summary>
    public int SentSinceCommit { get; private set; }

    public void Send(OutgoingRecord record)
    {
        beforeSend();
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

        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref _firstDeliveryError, report.Error, null);
            }
            else if (record.Partition is not null)
            {
                _acknowledged.AddOrUpdate(report.TopicPartition, report.Offset.Value, (_, known) => Math.Max(known, report.Offset.Value));
            }
        }

        if (record.Partition is { } partition)
        {
            producer.Produce(new TopicPartition(record.Topic, partition), message, OnDelivery);
        }
        else
        {
            producer.Produce(record.Topic, message, OnDelivery);
        }

        SentSinceCommit++;
        if (record.Partition is null)
        {
            _outputsSinceCommit.Add(new SentOutput(record.Topic, record.TimestampMs));
        }
    }

    /// <summary>The offset of the last record acknowledged on <paramref name="partition"/>, if any was sent to it explicitly.</summary>
    public long? AcknowledgedOffset(TopicPartition partition) => _acknowledged.TryGetValue(partition, out var offset) ? offset : null;

    /// <summary>Waits until everything sent is acknowledged; throws if any delivery failed (nothing may be committed then).</summary>
    public void FlushAndCheck(TimeSpan timeout)
    {
        var remaining = producer.Flush(timeout);
        if (remaining > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{remaining} records not acknowledged within {timeout.TotalSeconds:0} s"));
        }

        if (Interlocked.Exchange(ref _firstDeliveryError, null) is { } error)
        {
            throw new KafkaException(error);
        }
    }

    /// <summary>The outputs a successful commit made durable (records not sent to an explicit partition), and forgets them.</summary>
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
        Interlocked.Exchange(ref _firstDeliveryError, null);
    }

    private void Forget()
    {
        _outputsSinceCommit.Clear();
        SentSinceCommit = 0;
    }
}

/// <summary>An output record as a commit reports it: where it went and the event time it carries.</summary>
internal readonly record struct SentOutput(string Topic, long TimestampMs);
