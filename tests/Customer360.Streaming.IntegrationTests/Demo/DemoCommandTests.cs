using System.Net;
using System.Net.Sockets;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Demo;

/// <summary><c>c360 demo</c> as a separate process, where it cannot start.</summary>
public sealed class DemoCommandTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Demo_with_its_pages_port_in_use_exits_2_at_once_and_names_the_port()
    {
        // It printed an unhandled IOException with its stack trace, after waiting for a processor that had never started.
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        using var demo = await ChildProcess.RunAsync(
            "dotnet",
            [
                RepositoryLayout.C360Dll, "demo", "--duration", "5", "--brokers", "1", "--plain", "--redis", redis.ConnectionString,
                "--http-port", $"{port}", "--topology-dir", RepositoryLayout.TopologyDirectory,
            ],
            TimeSpan.FromSeconds(25));

        Assert.True(demo.ExitCode == 2, demo.AllOutput);
        Assert.Contains(demo.StandardError, l => l.Contains($"Http:Port {port} is in use", StringComparison.Ordinal));
        Assert.DoesNotContain(demo.AllOutput, "Unhandled exception", StringComparison.Ordinal);
        Assert.DoesNotContain(demo.StandardOutput, l => l.Contains("did not become ready", StringComparison.Ordinal));
    }
}
