using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Redis;

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
        await using var redis = await UnansweredRedis.ConnectAsync();
        var readings = new DemoRedisReadings(redis, new RedisKeys("c360-test:"), new StoreDirectory([new StoreLocation("berlin-mitte", "Berlin Mitte", 52.52, 13.40, 80, 500)]));

        Assert.Null(await readings.CountContextsAsync());
        Assert.Null(await readings.ReadPresenceAsync());
        Assert.Null(await readings.ReadContextJsonAsync("cust-00001"));
    }
}
