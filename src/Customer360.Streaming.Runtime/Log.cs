using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime;

/// <summary>Every log event of the runtime, with stable event ids. No keys, payloads or secrets are ever logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Worker {ClientId} subscribed to {TopicCount} topics in group {GroupId}")]
    public static partial void WorkerStarted(ILogger logger, string clientId, int topicCount, string groupId);

    [LoggerMessage(1001, LogLevel.Information, "Worker {ClientId} stopped cleanly after {Records} records")]
    public static partial void WorkerStopped(ILogger logger, string clientId, long records);

    [LoggerMessage(1002, LogLevel.Error, "Worker {ClientId} failed")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(1003, LogLevel.Information, "Worker {ClientId} was assigned {PartitionCount} partitions")]
    public static partial void PartitionsAssigned(ILogger logger, string clientId, int partitionCount);

    [LoggerMessage(1004, LogLevel.Information, "Worker {ClientId} committed and released {PartitionCount} revoked partitions")]
    public static partial void PartitionsRevoked(ILogger logger, string clientId, int partitionCount);

    [LoggerMessage(1005, LogLevel.Warning, "Worker {ClientId} lost {PartitionCount} partitions; their uncommitted work is discarded")]
    public static partial void PartitionsLost(ILogger logger, string clientId, int partitionCount);

    [LoggerMessage(1006, LogLevel.Debug, "Committed {PartitionCount} partition positions in {ElapsedMs:0.0} ms")]
    public static partial void Committed(ILogger logger, int partitionCount, double elapsedMs);

    [LoggerMessage(1007, LogLevel.Critical, "Worker {ClientId} hit a fatal Kafka error {Code}: {Reason}")]
    public static partial void FatalClientError(ILogger logger, string clientId, ErrorCode code, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "Worker {ClientId} Kafka client error {Code}: {Reason}")]
    public static partial void TransientClientError(ILogger logger, string clientId, ErrorCode code, string reason);
}
