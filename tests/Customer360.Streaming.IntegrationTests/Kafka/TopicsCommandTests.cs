using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Kafka;

/// <summary>
/// <c>c360 topics create</c> as a separate process, where no broker answers. The embedded broker refuses CreateTopics,
/// so creating topics is verified only against a real Kafka.
/// </summary>
public sealed class TopicsCommandTests
{
    [Fact]
    public async Task Topics_create_with_no_broker_answering_exits_1_with_a_line_naming_the_failure()
    {
        // It printed an unhandled KafkaException with its stack trace.
        using var create = await ChildProcess.RunAsync(
            "dotnet",
            [RepositoryLayout.C360Dll, "topics", "create", "--topology-dir", RepositoryLayout.TopologyDirectory, "--bootstrap-servers", $"127.0.0.1:{FreePort.Next()}"],
            TimeSpan.FromMinutes(2));

        Assert.True(create.ExitCode == 1, create.AllOutput);
        Assert.Contains(create.StandardError, l => l.StartsWith("topics create failed: ", StringComparison.Ordinal));
        Assert.DoesNotContain(create.StandardError, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
