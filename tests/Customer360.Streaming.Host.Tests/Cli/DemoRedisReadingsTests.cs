using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// Redis can go away while the demo runs; the processor waits for it, and the demo's view and summary must say so
/// instead of ending with a stack trace.
/// </summary>
public sealed class DemoRedisReadingsTests
{
    [Fact]
    public async Task A_Redis_that_does_not_answer_reads_as_unknown_instead_of_failing()
    {
        // Nobody listens there.
        var port = FreePort.Next();
        var configuration = ConfigurationOptions.Parse($"127.0.0.1:{port}");
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 500;
        configuration.AsyncTimeout = 500;
        configuration.SyncTimeout = 500;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var readings = new DemoRedisReadings(redis, new RedisKeys("c360-test:"), new StoreDirectory([new StoreLocation("berlin-mitte", "Berlin Mitte", 52.52, 13.40, 80, 500)]));

        Assert.Null(await readings.CountContextsAsync());
        Assert.Null(await readings.ReadPresenceAsync());
        Assert.Null(await readings.ReadContextJsonAsync("cust-00001"));
    }
}
