using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>What the Redis connection tests do to a private redis-server behind the processor's back.</summary>
internal static class RedisAdmin
{
    /// <summary>Redis closes every connection but the caller's, as a restart or a failover would.</summary>
    public static async Task DropEveryConnectionAsync(string connectionString)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "KILL", "SKIPME", "yes");
    }

    public static async Task ConfigSetAsync(string connectionString, string setting, string value)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).ConfigSetAsync(setting, value);
    }

    /// <summary>Waits up to 30 s for <paramref name="condition"/>; the caller asserts what it needs afterwards.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
