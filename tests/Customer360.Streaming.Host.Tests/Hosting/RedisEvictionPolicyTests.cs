using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// A Redis whose <c>maxmemory-policy</c> evicts any key (the <c>allkeys-*</c> policies, common on managed Redis) drops
/// known customers' contexts and the stores' presence when it fills up, and nothing tells the processor: the single
/// view shows no context until the customer's next event. The processor says so when it connects.
/// </summary>
public sealed class RedisEvictionPolicyTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Theory]
    [InlineData("allkeys-lru", true)]
    [InlineData("allkeys-lfu", true)]
    [InlineData("allkeys-random", true)]
    [InlineData("noeviction", false)]
    [InlineData("volatile-lru", false)]
    [InlineData("volatile-ttl", false)]
    public async Task A_redis_that_may_evict_any_key_is_named_in_a_warning_when_the_processor_connects(string policy, bool warned)
    {
        redis.SkipUnlessAvailable();
        await using var server = await RedisServerFixture.StartOnPortAsync(FreePort.Next());
        await SetPolicyAsync(server.ConnectionString, policy);
        var logger = new RecordingLogger<RedisConnectionService>();
        await using var service = new RedisConnectionService(Options.Create(new RedisOptions { ConnectionString = server.ConnectionString }), logger);

        await service.StartAsync(TestContext.Current.CancellationToken);

        var warnings = Warnings(logger);
        Assert.Equal(warned ? 1 : 0, warnings.Count);
        if (warned)
        {
            Assert.Contains($"maxmemory-policy {policy}", warnings[0], StringComparison.Ordinal);
            Assert.Contains("noeviction", warnings[0], StringComparison.Ordinal);
        }
    }

    /// <summary>A Redis restarted or failed over with another policy is judged again, and the same policy is named once.</summary>
    [Fact]
    public async Task A_policy_that_changes_behind_a_reconnect_is_named_once()
    {
        redis.SkipUnlessAvailable();
        await using var server = await RedisServerFixture.StartOnPortAsync(FreePort.Next());
        var logger = new RecordingLogger<RedisConnectionService>();
        await using var service = new RedisConnectionService(Options.Create(new RedisOptions { ConnectionString = server.ConnectionString }), logger);
        await service.StartAsync(TestContext.Current.CancellationToken);
        Assert.Empty(Warnings(logger));

        await SetPolicyAsync(server.ConnectionString, "allkeys-lru");
        await RedisAdmin.DropEveryConnectionAsync(server.ConnectionString);
        await RedisAdmin.WaitUntilAsync(() => Warnings(logger).Count == 1);
        await RedisAdmin.DropEveryConnectionAsync(server.ConnectionString);
        await RedisAdmin.WaitUntilAsync(() => service.Connection!.IsConnected);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var warning = Assert.Single(Warnings(logger));
        Assert.Contains("maxmemory-policy allkeys-lru", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("# Memory\r\nused_memory:1024\r\nmaxmemory_policy:allkeys-lfu\r\nmem_fragmentation_ratio:1.2\r\n", "allkeys-lfu")]
    [InlineData("# Memory\r\nused_memory:1024\r\n", null)]
    public void The_policy_is_read_from_the_memory_section_of_INFO(string info, string? policy)
    {
        Assert.Equal(policy, RedisEvictionPolicy.PolicyIn(info));
    }

    private static List<string> Warnings(RecordingLogger<RedisConnectionService> logger) =>
        [.. logger.Recorded.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("maxmemory-policy", StringComparison.Ordinal)).Select(e => e.Message)];

    private static Task SetPolicyAsync(string connectionString, string policy) => RedisAdmin.ConfigSetAsync(connectionString, "maxmemory-policy", policy);
}
