namespace Customer360.Streaming.Host;

/// <summary>Every log event of the host, with stable event ids. No customer data, payloads or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Processor started: consuming {TopicCount} source topics on {Threads} stream threads")]
    public static partial void ProcessorStarted(ILogger logger, int topicCount, int threads);

    [LoggerMessage(2001, LogLevel.Critical, "The stream worker failed; stopping the processor")]
    public static partial void ProcessorStoppingAfterFailure(ILogger logger);

    [LoggerMessage(2002, LogLevel.Information, "Redis connected")]
    public static partial void RedisConnected(ILogger logger);

    [LoggerMessage(2010, LogLevel.Error, "Redis is unavailable ({Reason}): contexts are not written until it answers; readiness is false. Check Redis:ConnectionString (address, password, TLS)")]
    public static partial void RedisUnavailable(ILogger logger, string reason);

    [LoggerMessage(2011, LogLevel.Information, "Redis connection restored")]
    public static partial void RedisConnectionRestored(ILogger logger);

    [LoggerMessage(2037, LogLevel.Warning, "Redis may evict any key when it reaches its maxmemory (maxmemory-policy {Policy}): known customers' contexts and the stores' presence can then vanish from Redis without the processor knowing, until a customer's next event or `c360 context rebuild`. Set maxmemory-policy noeviction (Redis refuses writes when full and the processor holds until it has room) or a volatile-* policy (only anonymous contexts, which expire anyway, are evicted)")]
    public static partial void RedisEvictsAnyKey(ILogger logger, string policy);

    [LoggerMessage(2020, LogLevel.Warning, "The web pages cannot follow the decisions and store-events topics ({Error}); retrying in {Seconds} s. Pages show contexts and presence meanwhile")]
    public static partial void PagesFeedUnavailable(ILogger logger, string error, double seconds);

    [LoggerMessage(2021, LogLevel.Information, "Web pages at {Url}")]
    public static partial void PagesListening(ILogger logger, string url);

    [LoggerMessage(2030, LogLevel.Information, "Ready")]
    public static partial void Ready(ILogger logger);

    [LoggerMessage(2031, LogLevel.Warning, "No longer ready: {Reasons}")]
    public static partial void NoLongerReady(ILogger logger, string reasons);

    [LoggerMessage(2032, LogLevel.Information, "Not ready yet: {Reasons}")]
    public static partial void NotReadyYet(ILogger logger, string reasons);

    [LoggerMessage(2033, LogLevel.Warning, "Still not ready after {Seconds} s: {Reasons}")]
    public static partial void StillNotReady(ILogger logger, string seconds, string reasons);

    [LoggerMessage(2035, LogLevel.Information, "Not ready yet after {Seconds} s: {Reasons}")]
    public static partial void NotReadyYetAfter(ILogger logger, string seconds, string reasons);

    /// <summary>At the level of the loss (2031), so a log filtered to warnings shows an outage's end with its start.</summary>
    [LoggerMessage(2034, LogLevel.Warning, "Ready again after {Seconds} s not ready")]
    public static partial void ReadyAgain(ILogger logger, string seconds);

    [LoggerMessage(2036, LogLevel.Warning, "The context changelogs have no lineage (the cluster gives no topic ids, or did not describe the topics): contexts in Redis are compared by version alone, so after the changelogs are created anew (another cluster, an application reset) Redis keeps the older contexts until `c360 context rebuild`")]
    public static partial void NoContextLineage(ILogger logger);
}
