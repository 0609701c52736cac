using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Hosting;

/// <summary>
/// The verbs that talk to a Kafka cluster take the processor's <c>C360__Kafka__*</c> settings, librdkafka's
/// <c>Kafka:Properties</c> among them, as <c>c360 run</c> does. Each built its clients from the bootstrap servers
/// alone, so against a cluster behind SASL or TLS not one of them could connect: not <c>topics create</c>, the first
/// step of the README's recipe for a real Kafka, nor <c>lag</c>, <c>context rebuild</c> or a dead-letter replay.
/// </summary>
public sealed class ToolKafkaSettingsProcessTests(KafkaFixture kafka)
{
    public static TheoryData<string[]> Verbs => new()
    {
        new[] { "topics", "create" },
        new[] { "lag" },
        new[] { "context", "rebuild", "--dry-run", "--redis", "127.0.0.1:9" },
        new[] { "dead-letters", "summary" },
        new[] { "simulate", "--registry-url", "http://127.0.0.1:9" },
        new[] { "rules", "test", "--rules", Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml"), "--events", "c360.beacon.v1", "--registry-url", "http://127.0.0.1:9" },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task A_verb_given_a_kafka_property_librdkafka_refuses_exits_with_code_2_naming_it(string[] verb)
    {
        using var process = C360Program.Start(
            [.. verb, "--bootstrap-servers", "127.0.0.1:9"],
            new Dictionary<string, string?> { ["C360__Kafka__Properties__socket.timeout.ms"] = "5" });

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(90)), "did not exit");
        Assert.True(process.ExitCode == 2, process.AllOutput);
        Assert.Contains(process.StandardError, line => line.Contains("Kafka:Properties:socket.timeout.ms has a value librdkafka does not accept", StringComparison.Ordinal));
    }

    /// <summary>The properties reach the verb's clients: asked to speak TLS to the embedded broker, which speaks plain text, it cannot.</summary>
    [Fact]
    public async Task The_properties_reach_the_clients_a_verb_builds()
    {
        string[] lag = ["lag", "--samples", "1", "--bootstrap-servers", kafka.BootstrapServers];
        using (var plain = C360Program.Start(lag))
        {
            Assert.True(await plain.WaitForExitAsync(TimeSpan.FromSeconds(90)), "did not exit");
            Assert.True(plain.ExitCode == 0, plain.AllOutput);
        }

        using var tls = C360Program.Start(lag, new Dictionary<string, string?> { ["C360__Kafka__Properties__security.protocol"] = "SSL" });

        Assert.True(await tls.WaitForExitAsync(TimeSpan.FromSeconds(90)), "did not exit");
        Assert.True(tls.ExitCode == 1, tls.AllOutput);
    }
}
