using Avro.Generic;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.IntegrationTests.Simulation;

/// <summary><c>c360 simulate</c> against the broker and the registry, as a separate process.</summary>
public sealed class SimulateCommandTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task Simulate_ProducesProfilesLinksAndJourneysAsAvroThroughTheRegistry_WithProgressLines()
    {
        var names = new UniqueNames(nameof(SimulateCommandTests));
        var applicationId = names.Group("sim");
        var topologyDirectory = C360Program.WritePrefixedTopology(names, applicationId);
        foreach (var topic in TopicCatalog.Load(Path.Combine(topologyDirectory, "topics.yaml")).Topics)
        {
            await kafka.CreateTopicAsync(topic.Name, topic.Partitions);
        }

        using var simulate = await ChildProcess.RunAsync(
            "dotnet",
            [
                RepositoryLayout.C360Dll, "simulate", "--customers", "20", "--rate", "100", "--duration", "2", "--seed", "3",
                "--topology-dir", topologyDirectory, "--bootstrap-servers", kafka.BootstrapServers, "--registry-url", registry.UrlText,
            ],
            TimeSpan.FromMinutes(1));

        Assert.True(simulate.ExitCode == 0, simulate.AllOutput);
        Assert.Contains(simulate.StandardOutput, l => l.StartsWith("[simulate] produced the setup: 20 relationship profiles", StringComparison.Ordinal));
        Assert.Contains(simulate.StandardOutput, l => l.StartsWith("[simulate] t=", StringComparison.Ordinal));
        using var client = registry.CreateClient();
        var deserializer = new AvroDeserializer<GenericRecord>(client);
        var profiles = KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.relationship.v1"));
        Assert.Equal(20, profiles.Count);
        Assert.All(profiles, p => Assert.Equal(p.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null, (string)deserializer.Deserialize(p.Message.Value)["customerId"]));
        var clicks = KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.clickstream.v1"));
        Assert.NotEmpty(clicks);
        Assert.All(clicks, c => Assert.Equal("customer360.events.ClickstreamEvent", deserializer.Deserialize(c.Message.Value).Schema.Fullname));
    }
}
