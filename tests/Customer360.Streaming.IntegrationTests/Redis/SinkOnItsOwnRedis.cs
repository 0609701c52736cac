using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// A sink writing to a redis-server of its own, with a second, admin connection for pauses, configuration and
/// reads: Redis answers a connection in order, and the sink's may be stuck behind a held write.
/// </summary>
internal sealed class SinkOnItsOwnRedis : IAsyncDisposable
{
    private readonly RedisServerFixture _redis;
    private readonly ConnectionMultiplexer _connection;
    private readonly ConnectionMultiplexer _admin;
    private readonly PipelineMetrics _metrics = new();

    private SinkOnItsOwnRedis(RedisServerFixture redis, ConnectionMultiplexer connection, ConnectionMultiplexer admin, string test)
    {
        (_redis, _connection, _admin) = (redis, connection, admin);
        var keys = new RedisKeys(new UniqueNames(test).Prefix);
        Server = admin.GetServer(admin.GetEndPoints()[0]);
        Reader = new RedisContextWriter(admin, keys);
        Sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), TimeProvider.System, _metrics, Log);
    }

    public RedisContextSink Sink { get; }

    public RecordingLogger Log { get; } = new();

    public IServer Server { get; }

    public RedisContextWriter Reader { get; }

    public static async Task<SinkOnItsOwnRedis> StartAsync(string test)
    {
        var redis = new RedisServerFixture();
        try
        {
            await redis.InitializeAsync();
            redis.SkipUnlessAvailable();
            var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
            return new SinkOnItsOwnRedis(redis, connection, admin, test);
        }
        catch
        {
            // Skipped (no redis-server here) or failed to connect: the server this started still stops.
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        await _admin.DisposeAsync();
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
