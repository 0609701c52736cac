using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>
/// Whether Redis may evict the keys the processor writes without an expiry (known customers' contexts, their
/// identifiers, the stores' presence). The <c>allkeys-*</c> maxmemory policies, common on managed Redis, evict any key
/// once Redis is at its maxmemory, so a context can vanish with nothing telling the processor. Under <c>noeviction</c>
/// Redis refuses writes instead and the processor holds until it has room; the <c>volatile-*</c> policies evict only
/// keys with an expiry, which here are the anonymous contexts, made to expire anyway.
/// </summary>
public static class RedisEvictionPolicy
{
    private const string PolicyField = "maxmemory_policy:";

    private const string InfoMemory = "return redis.call('INFO', 'memory')";

    /// <summary>
    /// The policy when it may evict any key, or null when it may not or Redis did not say (a managed Redis can refuse
    /// scripts or INFO; then nothing is known and nothing is said). In a Redis Cluster one primary answers.
    /// </summary>
    public static async Task<string?> EvictingAnyKeyAsync(IDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            // INFO through a script: the client sends INFO itself only in admin mode, which also allows FLUSHALL.
            var info = (await database.ScriptEvaluateAsync(InfoMemory)).ToString() ?? string.Empty;
            return PolicyIn(info) is { } policy && policy.StartsWith("allkeys-", StringComparison.Ordinal) ? policy : null;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException or ObjectDisposedException)
        {
            // Unanswered, refused, or the connection closed meanwhile (a stop during a reconnection): nothing to say.
            return null;
        }
    }

    /// <summary>The <c>maxmemory_policy</c> field of INFO's memory section, or null when it has none.</summary>
    public static string? PolicyIn(string info)
    {
        ArgumentNullException.ThrowIfNull(info);
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(PolicyField, StringComparison.Ordinal))
            {
                return line[PolicyField.Length..].Trim();
            }
        }

        return null;
    }
}
