using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Tests;

/// <summary>A connection to a loopback port nobody listens on: every command fails within half a second, as with Redis gone.</summary>
internal static class UnansweredRedis
{
    public static async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse($"127.0.0.1:{FreePort.Next()}");
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 500;
        configuration.AsyncTimeout = 500;
        configuration.SyncTimeout = 500;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
