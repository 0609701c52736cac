using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

[Collection(nameof(ConsoleRedirection))]
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_RedisNotAnswering_ExitsWith1AndSaysSoBeforeStartingAnything()
    {
        // Nobody listens there.
        var port = FreePort.Next();

        var (exitCode, output, errors) = await ConsoleRedirection.RunAsync(
            ["demo", "--redis", $"127.0.0.1:{port},password=not-to-be-printed", "--duration", "1", "--plain"], TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Redis at 127.0.0.1:{port} did not answer", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("not-to-be-printed", errors + output, StringComparison.Ordinal);
        Assert.DoesNotContain("embedded Kafka", output, StringComparison.Ordinal);
    }
}
