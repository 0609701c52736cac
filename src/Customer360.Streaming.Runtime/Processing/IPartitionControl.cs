using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What the partition group asks of the consumer: pausing, resuming and rewinding partitions, and what it knows of their lag.</summary>
internal interface IPartitionControl
{
    /// <summary>
    /// Whether the consumer knows of records past its position on <paramref name="partition"/> (from the high
    /// watermark of its last fetch), true while it does not know yet. A caught-up partition says false even when new
    /// records were produced since, so waiting on it never adds latency to live traffic.
    /// </summary>
    bool Lags(TopicPartition partition);

    /// <summary>
    /// For a partition of one of this thread's repartition topics, the check whether it sent records there that a
    /// consumer whose end of the partition is the given offset has not fetched: sent and not acknowledged yet, or
    /// acknowledged at or past that end. Null for other partitions. The end-of-partition event cannot know of them,
    /// and a task that took its other partitions' records meanwhile ran ahead of its own stage's output. Asked once per
    /// partition; the check itself runs for every record.
    /// </summary>
    Func<long, bool>? OwnOutputCheck(TopicPartition partition);

    /// <summary>The offset of the next record the consumer hands out from <paramref name="partition"/>, or null when unknown.</summary>
    long? Position(TopicPartition partition);

    void Pause(TopicPartition partition);

    void Resume(TopicPartition partition);

    void Seek(TopicPartitionOffset position);
}
