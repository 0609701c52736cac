using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>A context document to materialize: written only if its version is newer than the stored one.</summary>
/// <param name="Ttl">Expiry for anonymous contexts; null keeps the key.</param>
public sealed record ContextDocument(string ContextId, long Version, string Json, TimeSpan? Ttl = null);

/// <summary>How a batch went: written, or skipped because Redis already held the same or a newer version.</summary>
public sealed record WriteResult(int Written, int SkippedAsNotNewer);

/// <summary>
/// Writes contexts to Redis in one pipelined round trip per batch through a Lua compare-and-set on the version, so a
/// replay (after a crash, or a rebuild) never regresses newer data. The script runs by SHA (EVALSHA) and is resent
/// in full when the server answers NOSCRIPT (after a restart, failover or SCRIPT FLUSH).
/// </summary>
public sealed class RedisContextWriter(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>KEYS[1] context key; ARGV[1] version, ARGV[2] document, ARGV[3] ttl in ms (0 = keep). Returns 1 if written.</summary>
    internal const string CompareAndSetScript = """
        local current = redis.call('HGET', KEYS[1], 'v')
        if current and tonumber(current) >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'json', ARGV[2])
        if tonumber(ARGV[3]) > 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        else
          redis.call('PERSIST', KEYS[1])
        end
        return 1
        """;

    // Redis names cached scripts by their SHA-1 digest; this is an identifier, not a security measure.
#pragma warning disable CA5350
    private static readonly byte[] ScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(CompareAndSetScript));
#pragma warning restore CA5350

    public RedisKeys Keys { get; } = keys;

    public async Task<WriteResult> WriteAsync(IReadOnlyList<ContextDocument> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return new WriteResult(0, 0);
        }

        var database = redis.GetDatabase();
        // Issued back to back without awaiting in between: the multiplexer pipelines them into one round trip.
        var pending = new Task<RedisResult>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (key, args) = Arguments(batch[i]);
            pending[i] = database.ScriptEvaluateAsync(ScriptSha1, [key], args);
        }

        var written = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            RedisResult result;
            try
            {
                result = await pending[i];
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost its script cache: EVAL sends the source and caches it again.
                var (key, args) = Arguments(batch[i]);
                result = await database.ScriptEvaluateAsync(CompareAndSetScript, [key], args);
            }

            written += (int)result;
        }

        return new WriteResult(written, batch.Count - written);
    }

    /// <summary>
    /// Writes a batch, retrying with backoff while Redis is unreachable: Redis is a view derived from Kafka, so the
    /// caller waits (and stops taking new input) rather than losing an update.
    /// </summary>
    public async Task<WriteResult> WriteWithRetryAsync(IReadOnlyList<ContextDocument> batch, TimeProvider time, CancellationToken cancellationToken, Action<Exception, TimeSpan>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await WriteAsync(batch);
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException && !cancellationToken.IsCancellationRequested)
            {
                onRetry?.Invoke(ex, backoff);
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
            }
        }
    }

    public async Task<string?> ReadJsonAsync(string contextId) =>
        await redis.GetDatabase().HashGetAsync(Keys.Context(contextId), "json") is { IsNull: false } value ? (string?)value : null;

    public async Task<long?> ReadVersionAsync(string contextId) =>
        await redis.GetDatabase().HashGetAsync(Keys.Context(contextId), "v") is { IsNull: false } value ? (long)value : null;

    private (RedisKey Key, RedisValue[] Args) Arguments(ContextDocument document) =>
        (Keys.Context(document.ContextId),
         [document.Version, document.Json, ((long)(document.Ttl?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture)]);
}
