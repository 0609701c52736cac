using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One source partition of a stream thread as its partition group sees it: the records fetched and not processed
/// yet, and what is known of the partition between fetches. The group looks at every partition of every task for each
/// record it hands out; keeping this in one object per partition spares it a dictionary lookup (a hash of the topic
/// name) per question, which a drain's profile showed costing as much as the context stage's own work.
/// </summary>
internal sealed class PartitionSlot(TopicPartition partition)
{
    private readonly Queue<ConsumeResult<byte[]?, byte[]?>> _records = new();

    public TopicPartition Partition { get; } = partition;

    /// <summary>Records buffered, not yet taken.</summary>
    public int Count => _records.Count;

    /// <summary>
    /// The timestamp of the oldest buffered record, kept as records come and go: the group compares heads about a
    /// hundred times per record it hands out, and reading it through the queue and the consume result each time showed
    /// in a drain's profile. A record dated above the limit its processors take counts as older than any (long's
    /// minimum), so it is taken once it heads the partition. Meaningless while <see cref="Count"/> is 0.
    /// </summary>
    public long HeadTimestampMs { get; private set; }

    /// <summary>The limit the latest record came with: later records only raise it, as the clock moves on.</summary>
    private long _takenAtOnceAboveMs = long.MaxValue;

    /// <summary>Where the last fetch found the end of the log; null until it did, and again once a record arrives.</summary>
    public long? EndOffset { get; set; }

    /// <summary>The consumer's last answer to whether it knows of records past its position; null until asked again.</summary>
    public bool? Lags { get; set; }

    /// <summary>Since when the partition has had nothing buffered while the consumer knew it lagged.</summary>
    public long? StarvedSince { get; set; }

    /// <summary>
    /// Whether this thread's own output may lie past a given end of the partition
    /// (<see cref="IPartitionControl.OwnOutputCheck"/>); null until the group first asks.
    /// </summary>
    public Func<long, bool>? AwaitsOwnOutput { get; set; }

    /// <summary>
    /// The offset the next fetched record should have: the one after the last fetched, or the one the thread rewound
    /// to; null when unknown (after an assignment, or a rewind to the committed offsets). See <see cref="DeletedUnreadCheck"/>.
    /// </summary>
    public long? NextFetchOffset { get; set; }

    /// <summary>Paused because its buffer is full (not for a retry).</summary>
    public bool Full { get; set; }

    /// <summary>
    /// Paused for a retry: when to resume, whether it was resumed already, and since when and how often the record was
    /// refused (which sets the backoff, <see cref="StreamsOptions.TransientRetryBackoffAfter"/>).
    /// </summary>
    public (long ResumeAt, bool Resumed, long FirstRefusedMs, int Refusals)? Retry { get; set; }

    public void Enqueue(ConsumeResult<byte[]?, byte[]?> record, long takenAtOnceAboveMs = long.MaxValue)
    {
        _takenAtOnceAboveMs = takenAtOnceAboveMs;
        if (_records.Count == 0)
        {
            HeadTimestampMs = TimestampOf(record);
        }

        _records.Enqueue(record);
    }

    public ConsumeResult<byte[]?, byte[]?> Dequeue()
    {
        var record = _records.Dequeue();
        if (_records.TryPeek(out var next))
        {
            HeadTimestampMs = TimestampOf(next);
        }

        return record;
    }

    /// <summary>The offset of the oldest buffered record. Meaningless while <see cref="Count"/> is 0.</summary>
    public long HeadOffset => _records.Peek().Offset.Value;

    /// <summary>The offset of the next record to process: the one a retry rewound to, else the oldest buffered; null when neither.</summary>
    public long? NextToProcess => Retry is not null ? NextFetchOffset : _records.Count > 0 ? HeadOffset : null;

    /// <summary>Forgets the buffered records, which the consumer was sought back to fetch again.</summary>
    public void Clear()
    {
        _records.Clear();
        NextFetchOffset = null;
    }

    private long TimestampOf(ConsumeResult<byte[]?, byte[]?> record) =>
        record.Message.Timestamp.UnixTimestampMs is var timestampMs && timestampMs > _takenAtOnceAboveMs ? long.MinValue : timestampMs;
}
