using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Simulation;

/// <summary><c>c360 simulate</c> against the broker and the registry, as a separate process.</summary>
public sealed class SimulateCommandTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task Simulate_ProducesProfilesLinksAndJourneysAsAvroThroughTheRegistry_WithProgressLines()
    {
        var names = new UniqueNames(nameof(SimulateCommandTests));
        var applicationId = names.Group("sim");
        var (topologyDirectory, _) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);

        using var simulate = await SimulateAsync(topologyDirectory, "--customers", "20", "--rate", "100", "--duration", "2", "--seed", "3");

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

    [Fact]
    public async Task Simulate_keyed_by_customer_sends_each_channel_event_on_its_customer_keyed_topic_with_the_customer_as_key()
    {
        var names = new UniqueNames(nameof(Simulate_keyed_by_customer_sends_each_channel_event_on_its_customer_keyed_topic_with_the_customer_as_key));
        var applicationId = names.Group("sim-keyed");
        var (topologyDirectory, _) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);

        using var simulate = await SimulateAsync(topologyDirectory, "--customers", "20", "--rate", "100", "--duration", "2", "--seed", "3", "--keyed-by-customer");

        Assert.True(simulate.ExitCode == 0, simulate.AllOutput);
        using var client = registry.CreateClient();
        var deserializer = new AvroDeserializer<GenericRecord>(client);
        var sightings = KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.beacon.by-customer.v1"));
        Assert.NotEmpty(sightings);
        Assert.All(sightings, s =>
        {
            // Keyed by the customer; the device the beacon saw stays in the record.
            Assert.StartsWith("cust-", System.Text.Encoding.UTF8.GetString(s.Message.Key!), StringComparison.Ordinal);
            Assert.StartsWith("d", (string)deserializer.Deserialize(s.Message.Value)["identifier"], StringComparison.Ordinal);
        });
        Assert.Empty(KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.beacon.v1")));
        Assert.Empty(KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.clickstream.v1")));
        Assert.NotEmpty(KafkaTopicReader.ReadAll(kafka.Options(applicationId), names.Topic("c360.identity.v1")));
    }

    [Fact]
    public async Task Simulate_keyed_by_customer_without_customer_keyed_topics_exits_2_and_names_the_channels_that_lack_one()
    {
        var shipped = await File.ReadAllTextAsync(RepositoryLayout.TopicsFile, TestContext.Current.CancellationToken);
        var directory = TestScratch.Run.NewDirectory("c360-topology-");
        await File.WriteAllTextAsync(
            Path.Combine(directory, "topics.yaml"),
            string.Join("\n  - ", shipped.Split("\n  - ").Where(entry => !entry.Contains("beacon.by-customer.v1", StringComparison.Ordinal))),
            TestContext.Current.CancellationToken);
        File.Copy(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"), Path.Combine(directory, "stores.yaml"));

        using var simulate = await SimulateAsync(directory, "--keyed-by-customer", "--duration", "1");

        Assert.Equal(2, simulate.ExitCode);
        Assert.Contains(simulate.StandardError, l => l.Contains("--keyed-by-customer needs a customer-keyed topic for every channel; topics.yaml has none for c360.beacon.v1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Simulate_with_no_registry_answering_exits_1_with_a_line_naming_the_registry()
    {
        // It printed an unhandled SerdeException with its stack trace: the registry's failure arrives wrapped by the serializer.
        using var simulate = await ChildProcess.RunAsync(
            "dotnet",
            [
                RepositoryLayout.C360Dll, "simulate", "--duration", "1", "--topology-dir", RepositoryLayout.TopologyDirectory,
                "--bootstrap-servers", kafka.BootstrapServers, "--registry-url", $"http://127.0.0.1:{FreePort.Next()}",
            ],
            TimeSpan.FromMinutes(1));

        Assert.True(simulate.ExitCode == 1, simulate.AllOutput);
        Assert.Contains(simulate.StandardError, l => l.StartsWith("simulate failed: Schema Registry unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(simulate.StandardError, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Simulate_with_no_broker_answering_exits_1_at_once_naming_the_address_and_claims_nothing_produced()
    {
        // It said "produced 476 records" of which none had reached a broker, and then hung past a two-minute timeout.
        var address = $"127.0.0.1:{FreePort.Next()}";
        using var simulate = await ChildProcess.RunAsync(
            "dotnet",
            [
                RepositoryLayout.C360Dll, "simulate", "--duration", "3", "--customers", "20", "--topology-dir", RepositoryLayout.TopologyDirectory,
                "--bootstrap-servers", address, "--registry-url", registry.UrlText,
            ],
            TimeSpan.FromMinutes(1));

        Assert.True(simulate.ExitCode == 1, simulate.AllOutput);
        Assert.Contains(simulate.StandardError, l => l.StartsWith($"simulate failed: no Kafka broker answered at {address} (", StringComparison.Ordinal));
        Assert.DoesNotContain(simulate.StandardOutput, l => l.Contains("produced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_the_broker_never_acknowledges_are_counted_and_fail_the_flush_instead_of_passing_for_produced()
    {
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var options = new KafkaOptions { BootstrapServers = $"127.0.0.1:{FreePort.Next()}" };
        options.Properties["message.timeout.ms"] = "300";
        using var client = registry.CreateClient();
        using var producer = new SimulatedRecordProducer(options, client, contracts, "undelivered");
        var population = new Population(3, seed: 4, StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml")), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var setup = population.Setup().ToList();
        foreach (var record in setup)
        {
            await producer.ProduceAsync(record, TestContext.Current.CancellationToken);
        }

        var refused = Assert.Throws<KafkaException>(() => producer.FlushAndCheck(TimeSpan.FromSeconds(20)));

        Assert.StartsWith($"{setup.Count} of {setup.Count} records were not delivered: ", refused.Error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, producer.Delivered);
    }

    /// <summary><c>c360 simulate</c> as a separate process against the test's broker and registry.</summary>
    private Task<ChildProcess> SimulateAsync(string topologyDirectory, params string[] options) => ChildProcess.RunAsync(
        "dotnet",
        [
            RepositoryLayout.C360Dll, "simulate", .. options,
            "--topology-dir", topologyDirectory, "--bootstrap-servers", kafka.BootstrapServers, "--registry-url", registry.UrlText,
        ],
        TimeSpan.FromMinutes(1));
}
