using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What the thread's <see cref="PartitionGroup"/> and <see cref="DeletedUnreadCheck"/> ask of its consumer and its record collector.</summary>
internal sealed partial class StreamThread : ILogStarts
{
    /// <summary>How long a check for deleted records waits for the group's committed offsets.</summary>
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(10);

    void IPartitionControl.Pause(TopicPartition partition) => _consumer.Pause([partition]);

    void IPartitionControl.Resume(TopicPartition partition) => _consumer.Resume([partition]);

    void IPartitionControl.Seek(TopicPartitionOffset position) => _consumer.Seek(position);

    bool IPartitionControl.Lags(TopicPartition partition)
    {
        var (position, high) = (_consumer.Position(partition), _consumer.GetWatermarkOffsets(partition).High);
        return position.IsSpecial || high.IsSpecial || position.Value < high.Value;
    }

    Func<long, bool>? IPartitionControl.OwnOutputCheck(TopicPartition partition) => _collector.OwnOutputCheck(partition);

    long? IPartitionControl.Position(TopicPartition partition)
    {
        try
        {
            return _consumer.Position(partition) is { IsSpecial: false } position ? position.Value : null;
        }
        catch (KafkaException)
        {
            return null; // Not assigned any more: the offset processed up to is what a commit can name.
        }
    }

    long? ILogStarts.LogStart(TopicPartition partition)
    {
        try
        {
            return _consumer.GetWatermarkOffsets(partition).Low is { IsSpecial: false } low ? low.Value : null;
        }
        catch (KafkaException)
        {
            return null; // The client no longer knows the partition: a check must not end the thread.
        }
    }

    IReadOnlyList<TopicPartitionOffset> ILogStarts.Committed(IReadOnlyList<TopicPartition> partitions) =>
        _consumer.Committed(partitions, CommittedTimeout);
}
