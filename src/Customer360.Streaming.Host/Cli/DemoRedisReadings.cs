using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Redis;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// What the demo reads back from Redis for its view and summary: the contexts and the store presence. Each reading is
/// null while Redis does not answer: the processor waits for Redis and re-asserts its contexts when it is back, so the
/// demo shows the gap instead of ending with a stack trace. A reading waits at most <see cref="ReadTimeout"/>, and not
/// at all while the client is disconnected: the client itself waits seconds per command, and the live view stood
/// still that long at each refresh.
/// </summary>
internal sealed class DemoRedisReadings(IConnectionMultiplexer redis, RedisKeys keys, StoreDirectory stores, TimeProvider time)
{
    /// <summary>The longest one reading waits for Redis: as long as the processor waits for a batch of contexts.</summary>
    public static readonly TimeSpan ReadTimeout = RedisContextSink.WriteTimeout;

    private readonly RedisContextWriter _contexts = new(redis, keys);

    /// <summary>Counts every Redis context key (a scan, so the demo can afford it once a second, a production dashboard would not).</summary>
    public Task<long?> CountContextsAsync() => UnlessUnavailableAsync<long?>(async () =>
    {
        var contexts = 0L;
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var _ in server.KeysAsync(pattern: keys.ContextPattern, pageSize: 1_000))
            {
                contexts++;
            }
        }

        return contexts;
    });

    /// <summary>Customers present per store, in the directory's order.</summary>
    public Task<IReadOnlyList<KeyValuePair<string, int>>?> ReadPresenceAsync() => UnlessUnavailableAsync<IReadOnlyList<KeyValuePair<string, int>>>(async () =>
    {
        var present = await _contexts.CountPresentAsync(stores.Stores.Select(s => s.StoreId));
        return [.. stores.Stores.Select((store, i) => KeyValuePair.Create(store.StoreId, (int)present[i]))];
    });

    /// <summary>One customer's context as Redis holds it, or null when there is none.</summary>
    public Task<string?> ReadContextJsonAsync(string customerId) => UnlessUnavailableAsync(() => _contexts.ReadJsonAsync(customerId));

    private async Task<T?> UnlessUnavailableAsync<T>(Func<Task<T?>> read)
    {
        if (!redis.IsConnected)
        {
            return default;
        }

        Task<T?>? reading = null;
        try
        {
            // Started inside the try: a client may refuse a command at once, without a task.
            reading = read();
            return await reading.WaitAsync(ReadTimeout, time);
        }
        catch (Exception ex) when (RedisOutage.Is(ex) || ex is TimeoutException)
        {
            // A reading left behind ends with the client's own timeout; its failure is of no more interest.
            _ = reading?.ContinueWith(static r => r.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return default;
        }
    }
}
