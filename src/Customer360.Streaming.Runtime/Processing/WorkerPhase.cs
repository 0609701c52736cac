namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where a stream worker is in its life; readiness is derived from it.</summary>
public enum WorkerPhase
{
    Created,
    Joining,

    /// <summary>Replaying changelogs into the stores of newly assigned tasks; not ready.</summary>
    Restoring,
    Running,
    Rebalancing,
    Stopping,
    Stopped,
    Failed,
}
