namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where a stream worker is in its life; readiness is derived from it.</summary>
public enum WorkerPhase
{
    Created,
    Joining,
    Running,
    Rebalancing,
    Stopping,
    Stopped,
    Failed,
}
