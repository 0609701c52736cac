namespace Customer360.Streaming.Host;

/// <summary>Every log event of the host, with stable event ids. No customer data, payloads or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Processor started: consuming {TopicCount} source topics")]
    public static partial void ProcessorStarted(ILogger logger, int topicCount);

    [LoggerMessage(2001, LogLevel.Critical, "The stream worker failed; stopping the processor")]
    public static partial void ProcessorStoppingAfterFailure(ILogger logger);

    [LoggerMessage(2002, LogLevel.Information, "Redis connection opened (connected now: {Connected})")]
    public static partial void RedisConnecting(ILogger logger, bool connected);
}
