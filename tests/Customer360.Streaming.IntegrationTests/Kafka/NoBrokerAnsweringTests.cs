using System.Globalization;
using System.Net;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Kafka;

/// <summary>
/// The published program, as a separate process, pointed at a port where no broker answers. librdkafka's own log
/// lines went raw to stderr: <c>c360 lag</c> printed 744 <c>%3|…|FAIL|</c> lines above its one-line failure, and
/// <c>c360 run</c> 1,166 in the 30 s it waited for the cluster, past its logger.
/// </summary>
public sealed class NoBrokerAnsweringTests
{
    [Fact]
    public async Task Lag_says_in_one_line_that_no_broker_answered_at_the_address_it_tried()
    {
        var address = $"127.0.0.1:{FreePort.Next()}";
        using var lag = await ChildProcess.RunAsync("dotnet", [RepositoryLayout.C360Dll, "lag", "--group", "g", "--bootstrap-servers", address], TimeSpan.FromMinutes(2));

        Assert.True(lag.ExitCode == 1, lag.AllOutput);
        var lines = lag.StandardError.Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count == 1, $"{lines.Count} lines on stderr:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Take(5))}");
        Assert.StartsWith($"lag failed: no Kafka broker answered at {address} (", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_summary_says_in_one_line_that_no_broker_answered_at_the_address_it_tried()
    {
        var address = $"127.0.0.1:{FreePort.Next()}";
        using var summary = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "dead-letters", "summary", "--bootstrap-servers", address, "--topology-dir", RepositoryLayout.TopologyDirectory], TimeSpan.FromMinutes(2));

        Assert.True(summary.ExitCode == 1, summary.AllOutput);
        var lines = summary.StandardError.Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count == 1, $"{lines.Count} lines on stderr:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Take(5))}");
        Assert.StartsWith($"dead-letters summary failed: no Kafka broker answered at {address} (", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_logs_the_clients_complaints_through_its_logger_a_few_times_and_names_the_address_when_it_gives_up()
    {
        var address = $"127.0.0.1:{FreePort.Next()}";
        using var run = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = address,
            ["C360__Kafka__StartupTimeoutSeconds"] = "5",
            ["C360__Redis__ConnectionString"] = $"127.0.0.1:{FreePort.Next()}",
            ["C360__SchemaRegistry__Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["C360__Http__Port"] = "0",
        });
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromMinutes(2)), run.AllOutput);

        var output = run.StandardOutput.Concat(run.StandardError).ToList();
        Assert.DoesNotContain(output, l => l.StartsWith('%'));
        var clientLines = output.Count(l => l.Contains("Kafka client ", StringComparison.Ordinal));
        Assert.InRange(clientLines, 1, 10);
        Assert.Contains(output, l => l.StartsWith($"Startup failed: Could not read cluster metadata within 5 s: no Kafka broker answered at {address} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_answers_liveness_while_it_waits_for_the_cluster_and_readiness_says_what_it_waits_for()
    {
        // Before, the pages' port opened only once the cluster answered: an orchestrator's liveness probe found nothing
        // listening for up to Kafka:StartupTimeoutSeconds and restarted the process, which then waited again.
        var port = FreePort.Next();
        using var run = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = $"127.0.0.1:{FreePort.Next()}",
            ["C360__Kafka__StartupTimeoutSeconds"] = "10",
            ["C360__Redis__ConnectionString"] = $"127.0.0.1:{FreePort.Next()}",
            ["C360__SchemaRegistry__Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var (ready, waiting) = await C360Program.ProbeUntilReadyAsync(http, run);

        Assert.True(await run.WaitForExitAsync(TimeSpan.FromMinutes(2)), run.AllOutput);
        Assert.False(ready);
        Assert.NotEmpty(waiting);
        Assert.All(waiting, sample => Assert.True(sample.Live == HttpStatusCode.OK, $"/health/live answered {(int)sample.Live} while /health/ready said {sample.Ready}"));
        Assert.Contains(waiting, sample => sample.Ready.Contains("waiting for metadata from the Kafka cluster", StringComparison.Ordinal));
        // It still gives up as before, saying why, with the exit code of a setting to mend.
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.StandardError, l => l.StartsWith("Startup failed: Could not read cluster metadata within 10 s", StringComparison.Ordinal));
    }
}
