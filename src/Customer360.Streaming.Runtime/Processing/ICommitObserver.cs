namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Told what a commit made durable, after it succeeded: the place for side effects outside Kafka (Redis), which must
/// then be idempotent because a crash before the next commit replays them.
/// </summary>
public interface ICommitObserver
{
    void Committed(IReadOnlyList<OutgoingRecord> records);
}
