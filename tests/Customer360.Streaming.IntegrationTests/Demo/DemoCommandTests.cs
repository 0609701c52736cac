using System.Net;
using System.Net.Sockets;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Demo;

/// <summary><c>c360 demo</c> as a separate process, where it cannot start.</summary>
public sealed class DemoCommandTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Demo_with_its_pages_port_in_use_exits_2_at_once_names_the_port_and_leaves_no_state_behind()
    {
        // It printed an unhandled IOException with its stack trace, after waiting for a processor that had never started.
        // Then, exiting at once, it left the processor running: its RocksDB state folder stayed behind in four runs of
        // five, and one run ended in a segmentation fault.
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var temporary = TestScratch.Run.NewDirectory("c360-demo-tmp-");

        using var demo = ChildProcess.Start(
            "dotnet",
            [
                RepositoryLayout.C360Dll, "demo", "--duration", "5", "--brokers", "1", "--plain", "--redis", redis.ConnectionString,
                "--http-port", $"{port}", "--topology-dir", RepositoryLayout.TopologyDirectory,
            ],
            new Dictionary<string, string?> { ["TMPDIR"] = temporary });

        Assert.True(await demo.WaitForExitAsync(TimeSpan.FromSeconds(25)), "the demo did not end: " + demo.AllOutput);
        Assert.True(demo.ExitCode == 2, demo.AllOutput);
        Assert.Contains(demo.StandardError, l => l.Contains($"Http:Port {port} is in use", StringComparison.Ordinal));
        Assert.DoesNotContain(demo.AllOutput, "Unhandled exception", StringComparison.Ordinal);
        Assert.DoesNotContain(demo.StandardOutput, l => l.Contains("did not become ready", StringComparison.Ordinal));
        Assert.Empty(Directory.GetDirectories(temporary, "c360-demo-state-*"));
    }
}
