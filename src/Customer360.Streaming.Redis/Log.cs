using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Redis;

/// <summary>Log messages of the Redis adapter. Customers appear in none of them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Redis did not take {Count} context writes ({Why}); processing waits and every owned context is re-asserted when it answers")]
    public static partial void RedisUnavailable(ILogger logger, string why, int count);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Redis: {Count} keys of the context view held a value of another type (not written by this processor) and were replaced")]
    public static partial void ForeignKeysReplaced(ILogger logger, int count);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Redis held contexts written from other changelogs (another cluster's, from before the changelogs were deleted and created again, or another application's with the same Redis:KeyPrefix): they are replaced whatever their version, {Count} in this batch; the log says this once. `c360 context rebuild` removes the ones the current state does not have")]
    public static partial void OtherLineageReplaced(ILogger logger, int count);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Redis: re-asserted the {Count} contexts this stream thread owns in {Seconds:0.0} s, {Written} written (the others Redis held already), after it was unavailable or reconnected")]
    public static partial void ContextsReasserted(ILogger logger, int count, double seconds, long written);
}
