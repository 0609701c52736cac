namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A changelog partition whose oldest records the broker deleted: it starts at <see cref="LogStartOffset"/> instead of
/// 0, so the store it restores would silently miss every key last written before that offset.
/// </summary>
public sealed record ChangelogTruncation(string Store, string Topic, int Partition, long LogStartOffset)
{
    /// <summary>What happened and how to recover, for the operator who reads the error.</summary>
    public string Explanation =>
        $"Store '{Store}' cannot be restored completely: its changelog {Topic}[{Partition}] starts at offset {LogStartOffset}, "
        + $"so records 0 to {LogStartOffset - 1} were deleted by the broker (retention on the changelog, or the embedded broker's size limit). "
        + "Keys last written in them are lost from Kafka. To go on with what remains, set Streams:OnChangelogTruncated=RestoreRemaining "
        + "(those keys start anew; `c360 context rebuild` then keeps contexts found only in Redis unless given --force). "
        + "To prevent it, give changelog topics cleanup.policy=compact without retention.";
}
