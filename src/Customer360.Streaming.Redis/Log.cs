using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Redis;

/// <summary>Log messages of the Redis adapter. Customers appear in none of them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Redis unreachable ({ErrorClass}); retrying {Count} context writes in {DelayMs} ms")]
    public static partial void RedisRetry(ILogger logger, string errorClass, int count, double delayMs);
}
