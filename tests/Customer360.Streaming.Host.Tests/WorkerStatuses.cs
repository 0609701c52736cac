using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Tests;

/// <summary>A stream thread's status as the health checks and the pages read it, built by hand.</summary>
internal static class WorkerStatuses
{
    /// <summary>What <see cref="Running"/> assigns: two partitions of one topic.</summary>
    public static readonly TopicPartition[] Assignment = [new("c360.beacon.v1", 0), new("c360.beacon.v1", 1)];

    /// <summary>A thread with <see cref="Assignment"/>, running, nothing paused or held.</summary>
    public static StreamWorkerStatus Running()
    {
        var status = new StreamWorkerStatus();
        status.Assigned(Assignment);
        return status;
    }

    /// <summary>A processor of the one stream thread <paramref name="thread"/>.</summary>
    public static StreamProcessorStatus Of(StreamWorkerStatus thread) => new(("StreamThread-1", thread));
}
