using Customer360.Streaming.Host.Cli;
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
        var output = new StringWriter();
        var errors = new StringWriter();
        var (originalOutput, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(errors);
        int exitCode;
        try
        {
            exitCode = await C360Cli.Create().Parse(["demo", "--redis", $"127.0.0.1:{port},password=not-to-be-printed", "--duration", "1", "--plain"])
                .InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
        }
        finally
        {
            Console.SetOut(originalOutput);
            Console.SetError(originalError);
        }

        Assert.Equal(1, exitCode);
        Assert.Contains($"Redis at 127.0.0.1:{port} did not answer", errors.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-to-be-printed", errors.ToString() + output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("embedded Kafka", output.ToString(), StringComparison.Ordinal);
    }
}
