using System.Globalization;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>The Redis view against a real redis-server: version guard, pipelining, NOSCRIPT, TTLs, outages.</summary>
public sealed class RedisContextWriterTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Replay_OfOlderOrEqualVersions_NeverRegressesTheStoredContext()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(Replay_OfOlderOrEqualVersions_NeverRegressesTheStoredContext)).Prefix));

        var first = await writer.WriteAsync([Doc("c-1", 1), Doc("c-1", 3)]);
        var replay = await writer.WriteAsync([Doc("c-1", 2), Doc("c-1", 3), Doc("c-1", 1)]);

        Assert.Equal((2, 0), Counts(first));
        Assert.Equal((0, 3), Counts(replay));
        Assert.Equal(3, await writer.ReadVersionAsync("c-1"));
        Assert.Equal("""{"v":3}""", await writer.ReadJsonAsync("c-1"));
    }

    [Fact]
    public async Task Batch_IsWrittenInOneCall_AndSurvivesAFlushedScriptCache()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var writer = new RedisContextWriter(connection, new RedisKeys(new UniqueNames(nameof(Batch_IsWrittenInOneCall_AndSurvivesAFlushedScriptCache)).Prefix));
        var batch = Enumerable.Range(0, 500).Select(i => Doc($"c-{i}", 1)).ToList();

        Assert.Equal((500, 0), Counts(await writer.WriteAsync(batch)));
        await connection.GetServer(connection.GetEndPoints()[0]).ScriptFlushAsync();
        Assert.Equal((500, 0), Counts(await writer.WriteAsync([.. batch.Select(d => d with { Version = 2 })])));

        Assert.Equal(2, await writer.ReadVersionAsync("c-499"));
    }

    [Fact]
    public async Task Keys_UseHashTags_AndAnonymousContextsExpire()
    {
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var prefix = new UniqueNames(nameof(Keys_UseHashTags_AndAnonymousContextsExpire)).Prefix;
        var writer = new RedisContextWriter(connection, new RedisKeys(prefix));

        await writer.WriteAsync([Doc("c-1", 1), Doc("anon:device:9", 1, TimeSpan.FromHours(1))]);

        var database = connection.GetDatabase();
        Assert.Equal($"{prefix}:{{c-1}}:context", writer.Keys.Context("c-1"));
        Assert.Null(await database.KeyTimeToLiveAsync(writer.Keys.Context("c-1")));
        var ttl = await database.KeyTimeToLiveAsync(writer.Keys.Context("anon:device:9"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    private static (int Written, int Skipped) Counts(WriteResult result) => (result.Written, result.SkippedAsNotNewer);

    private static ContextDocument Doc(string id, long version, TimeSpan? ttl = null) => new(id, version, $$"""{"v":{{version}}}""", ttl);
}
