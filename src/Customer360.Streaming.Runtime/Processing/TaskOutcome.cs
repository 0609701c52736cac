namespace Customer360.Streaming.Runtime.Processing;

/// <summary>What became of one input record.</summary>
public enum TaskOutcome
{
    Processed,
    DeadLettered,

    /// <summary>A dependency is down: pause the partition and offer the same record again later.</summary>
    RetryLater,
}
