using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Sends task output through the thread's one producer and remembers, until the next commit, what was sent (the commit
/// observers learn from it which contexts changed), the last acknowledged offset per changelog partition, and the first
/// failed delivery. <paramref name="beforeSend"/> runs before each record is produced: under
/// exactly_once_v2 it opens the transaction, so a transaction exists only when something is written in it.
/// </summary>
internal sealed class KafkaRecordCollector(IProducer<byte[]?, byte[]?> producer, Action beforeSend) : IRecordCollector
{
    /// <summary>The first delivery that failed since the last check: one is enough to refuse the commit, and later ones add nothing.</summary>
    private Error? _firstDeliveryError;
    private readonly List<OutgoingRecord> _sinceCommit = [];

    /// <summary>The offset of the last acknowledged record per partition sent to explicitly (changelogs).</summary>
    private readonly ConcurrentDictionary<TopicPartition, long> _acknowledged = new();

    public int PendingSinceCommit => _sinceCommit.Count;

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

        _sinceCommit.Add(record);
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

    /// <summary>What was sent since the last commit (for observers after a successful commit), and forgets it.</summary>
    public IReadOnlyList<OutgoingRecord> TakeSent()
    {
        var sent = _sinceCommit.ToArray();
        _sinceCommit.Clear();
        return sent;
    }

    public void DiscardSent()
    {
        _sinceCommit.Clear();
        Interlocked.Exchange(ref _firstDeliveryError, null);
    }
}
