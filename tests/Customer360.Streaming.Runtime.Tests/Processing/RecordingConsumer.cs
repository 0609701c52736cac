using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>A consumer as the partition group sees it: it records what the group asks it to do and answers as told.</summary>
internal sealed class RecordingConsumer : IPartitionControl
{
    public List<string> Calls { get; } = [];

    public void Pause(TopicPartition partition) => Calls.Add($"pause {partition.Topic}[{partition.Partition.Value}]");

    public void Resume(TopicPartition partition) => Calls.Add($"resume {partition.Topic}[{partition.Partition.Value}]");

    public void Seek(TopicPartitionOffset position) => Calls.Add($"seek {position.Topic}[{position.Partition.Value}]@{position.Offset.Value}");

    /// <summary>Partitions the consumer knows to be caught up with (the rest lag, or are not known yet).</summary>
    public HashSet<TopicPartition> CaughtUp { get; } = [];

    public bool Lags(TopicPartition partition) => !CaughtUp.Contains(partition);

    /// <summary>Partitions this thread sent records to that the consumer has not fetched yet.</summary>
    public HashSet<TopicPartition> OwnOutputNotFetched { get; } = [];

    /// <summary>How often the group asked for each partition's check.</summary>
    public Dictionary<TopicPartition, int> OwnOutputChecksMade { get; } = [];

    public Func<long, bool>? OwnOutputCheck(TopicPartition partition)
    {
        OwnOutputChecksMade[partition] = OwnOutputChecksMade.GetValueOrDefault(partition) + 1;
        return _ => OwnOutputNotFetched.Contains(partition);
    }

    /// <summary>The consumer's position per partition (unknown for the rest).</summary>
    public Dictionary<TopicPartition, long> Positions { get; } = [];

    public long? Position(TopicPartition partition) => Positions.TryGetValue(partition, out var position) ? position : null;
}
