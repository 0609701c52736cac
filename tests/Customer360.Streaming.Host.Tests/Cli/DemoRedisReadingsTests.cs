using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// Redis can go away while the demo runs; the processor waits for it, and the demo's view and summary must say so
/// instead of ending with a stack trace, or standing still while the client waits out its own timeouts.
/// </summary>
public sealed class DemoRedisReadingsTests
{
    private static readonly StoreDirectory Stores = new([new StoreLocation("berlin-mitte", "Berlin Mitte", 52.52, 13.40, 80, 500)]);

    [Fact]
    public async Task A_Redis_that_does_not_answer_reads_as_unknown_instead_of_failing()
    {
        await using var redis = await UnansweredRedis.ConnectAsync();
        var readings = new DemoRedisReadings(redis, new RedisKeys("c360-test:"), Stores, TimeProvider.System);

        Assert.Null(await readings.CountContextsAsync());
        Assert.Null(await readings.ReadPresenceAsync());
        Assert.Null(await readings.ReadContextJsonAsync("cust-00001"));
    }

    [Fact]
    public async Task A_Redis_that_stays_connected_but_stops_answering_reads_as_unknown_after_the_demos_read_timeout_not_the_clients()
    {
        // By hand: with Redis stopped, the live view stood still about 14 s, each of its reads waiting out the client's
        // timeout. Here the client waits a minute, so only the demo's own timeout, on the fake clock, can end a read.
        await using var server = await RedisServerFixture.StartOnPortAsync(FreePort.Next());
        server.SkipUnlessAvailable();
        var configuration = ConfigurationOptions.Parse(server.ConnectionString);
        configuration.AsyncTimeout = 60_000;
        configuration.SyncTimeout = 60_000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var time = new FakeTimeProvider();
        var keys = new RedisKeys("c360-test");
        var readings = new DemoRedisReadings(redis, keys, Stores, time);
        await new RedisContextWriter(redis, keys).WriteAsync([new ContextDocument("cust-00001", 1, "{}"u8.ToArray())]);
        Assert.Equal(1, await readings.CountContextsAsync());
        Assert.NotNull(await readings.ReadPresenceAsync());
        Assert.Equal("{}", await readings.ReadContextJsonAsync("cust-00001"));

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "120000", "ALL");
        }

        var counting = readings.CountContextsAsync();
        var presence = readings.ReadPresenceAsync();
        var context = readings.ReadContextJsonAsync("cust-00001");
        time.Advance(DemoRedisReadings.ReadTimeout);

        // Bounded so that a read still waiting on Redis fails this test instead of hanging it.
        var bound = TimeSpan.FromSeconds(30);
        Assert.Null(await presence.WaitAsync(bound, TestContext.Current.CancellationToken));
        Assert.Null(await context.WaitAsync(bound, TestContext.Current.CancellationToken));

        // A count may take longer on a Redis holding many contexts: it waits its own, longer timeout.
        Assert.False(counting.IsCompleted);
        time.Advance(DemoRedisReadings.CountTimeout - DemoRedisReadings.ReadTimeout);
        Assert.Null(await counting.WaitAsync(bound, TestContext.Current.CancellationToken));

        // Stopped before the client closes, which would otherwise wait out its minute for the reads left behind.
        await server.DisposeAsync();
    }
}
