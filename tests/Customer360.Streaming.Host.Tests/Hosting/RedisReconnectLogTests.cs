using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// What the process's Redis connection logs when Redis drops it and it reconnects. The multiplexer keeps two
/// connections (commands and subscriptions) and reports each one's return, so one reconnect was logged twice.
/// </summary>
public sealed class RedisReconnectLogTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task A_dropped_connection_that_comes_back_is_logged_unavailable_once_and_restored_once()
    {
        redis.SkipUnlessAvailable();
        var logger = new RecordingLogger<RedisConnectionService>();
        await using var service = new RedisConnectionService(Options.Create(new RedisOptions { ConnectionString = redis.ConnectionString }), logger);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.Connection!.GetSubscriber().SubscribeAsync(RedisChannel.Literal("c360-test"), (_, _) => { });

        // Redis closes both of the service's connections at once.
        await DropEveryConnectionAsync(redis.ConnectionString);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Restored(logger) >= 1 && service.Connection.IsConnected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        // Both connections are back once the multiplexer says so; give a second report a moment to arrive.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Null(service.FailureReason);
        Assert.Equal(1, Restored(logger));
        Assert.Equal(1, Unavailable(logger));
    }

    [Fact]
    public async Task A_redis_that_comes_up_after_the_start_is_logged_unavailable_once_then_restored_once()
    {
        redis.SkipUnlessAvailable();
        var port = FreePort.Next();
        var logger = new RecordingLogger<RedisConnectionService>();
        var options = Options.Create(new RedisOptions { ConnectionString = $"127.0.0.1:{port}", ConnectTimeoutMs = 500 });
        await using var service = new RedisConnectionService(options, logger);
        await service.StartAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(service.FailureReason);

        // Redis starts where the service keeps trying, as it would after the processor started first.
        await using var late = await RedisServerFixture.StartOnPortAsync(port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Restored(logger) >= 1 && service.Connection!.IsConnected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Null(service.FailureReason);
        Assert.Equal(1, Restored(logger));
        Assert.Equal(1, Unavailable(logger));

        // The first connection's reports must not hide the next outage.
        await DropEveryConnectionAsync(late.ConnectionString);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Restored(logger) >= 2 && service.Connection!.IsConnected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Null(service.FailureReason);
        Assert.Equal(2, Unavailable(logger));
        Assert.Equal(2, Restored(logger));
    }

    /// <summary>Redis closes every connection but the caller's, as a restart or a failover would.</summary>
    private static async Task DropEveryConnectionAsync(string connectionString)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "KILL", "SKIPME", "yes");
    }

    private static int Unavailable(RecordingLogger<RedisConnectionService> logger) =>
        logger.Recorded.Entries.Count(e => e.Message.StartsWith("Redis is unavailable (", StringComparison.Ordinal));

    private static int Restored(RecordingLogger<RedisConnectionService> logger) =>
        logger.Recorded.Entries.Count(e => e.Message == "Redis connection restored");
}
