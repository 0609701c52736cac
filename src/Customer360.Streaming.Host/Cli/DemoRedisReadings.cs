using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Redis;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// What the demo reads back from Redis for its view and summary: the contexts and the store presence. Each reading is
/// null while Redis does not answer: the processor waits for Redis and re-asserts its contexts when it is back, so the
/// demo shows the gap instead of ending with a stack trace. A reading waits at most <see cref="ReadTimeout"/> (a count
/// <see cref="CountTimeout"/>), and not at all while the client is disconnected: the client itself waits seconds per
/// command, and the live view stood still that long at each refresh.
/// </summary>
internal sealed class DemoRedisReadings(IConnectionMultiplexer redis, RedisKeys keys, StoreDirectory stores, TimeProvider time)
{
    /// <summary>The longest one reading waits for Redis: as long as the processor waits for a batch of contexts.</summary>
    public static readonly TimeSpan ReadTimeout = RedisContextSink.WriteTimeout;

    private readonly RedisContextWriter _contexts = new(redis, keys);

    /// <summary>
    /// The longest a count of the contexts waits for Redis. A scan of 100,000 contexts on a Redis busy with the
    /// processor's writes took over <see cref="ReadTimeout"/>; the view counts in the background
    /// (<see cref="LatestReading{T}"/>), so a long count holds nothing up.
    /// </summary>
    public static readonly TimeSpan CountTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Counts every Redis context key (a scan, so the demo can afford it now and then, a production dashboard would
    /// not); null when Redis does not answer within <see cref="CountTimeout"/>.
    /// </summary>
    public Task<long?> CountContextsAsync() => UnlessUnavailableAsync<long?>(CountTimeout, async () =>
    {
        var contexts = 0L;
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            // Large pages: each is a round trip, and on a busy Redis the round trips are what a count waits for.
            await foreach (var _ in server.KeysAsync(pattern: keys.ContextPattern, pageSize: 10_000))
            {
                contexts++;
            }
        }

        return contexts;
    });

    /// <summary>Customers present per store, in the directory's order.</summary>
    public Task<IReadOnlyList<KeyValuePair<string, int>>?> ReadPresenceAsync() => UnlessUnavailableAsync<IReadOnlyList<KeyValuePair<string, int>>>(ReadTimeout, async () =>
    {
        var present = await _contexts.CountPresentAsync(stores.Stores.Select(s => s.StoreId));
        return [.. stores.Stores.Select((store, i) => KeyValuePair.Create(store.StoreId, (int)present[i]))];
    });

    /// <summary>One customer's context as Redis holds it, or null when there is none.</summary>
    public Task<string?> ReadContextJsonAsync(string customerId) => UnlessUnavailableAsync(ReadTimeout, () => _contexts.ReadJsonAsync(customerId));

    private async Task<T?> UnlessUnavailableAsync<T>(TimeSpan timeout, Func<Task<T?>> read)
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
            return await reading.WaitAsync(timeout, time);
        }
        catch (Exception ex) when (RedisOutage.Is(ex) || ex is TimeoutException)
        {
            // A reading left behind ends with the client's own timeout; its failure is of no more interest.
            _ = reading?.ContinueWith(static r => r.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return default;
        }
    }
}
