using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Hosting;

/// <summary>
/// <c>c360 run</c> and the tools against a registry that requires basic authentication: the credentials work end to
/// end and never reach a log.
/// </summary>
public sealed class RegistryAuthProcessTests(KafkaFixture kafka, RedisServerFixture redis)
{
    private const string Password = "pw-7c1e9b-never-logged";

    [Fact]
    public async Task Run_decodes_through_a_registry_with_basic_auth_and_never_logs_the_credentials()
    {
        redis.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        var names = new UniqueNames(nameof(RegistryAuthProcessTests));
        var applicationId = names.Group("app");
        var (topologyDirectory, _) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);

        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0, settings: new EmbeddedRegistrySettings(BasicAuth: "svc:" + Password), cancellationToken: ct);
        var port = FreePort.Next();
        using var processor = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = applicationId,
            ["C360__Kafka__FetchWaitMaxMs"] = "10",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            ["C360__Streams__StateStore"] = "InMemory",
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__SchemaRegistry__Url"] = registry.Url.ToString(),
            ["C360__SchemaRegistry__BasicAuthUserInfo"] = "svc:" + Password,
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = topologyDirectory,
            ["Logging__LogLevel__Default"] = "Debug",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.True(await C360Program.WaitForReadyAsync(http, processor), "never ready: " + processor.AllOutput);

        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url.ToString(), BasicAuthUserInfo = "svc:" + Password });
        var relationship = names.Topic("c360.relationship.v1");
        var profile = new RelationshipProfile(
            Guid.NewGuid(), 1_790_000_000_000, relationship, "cust-auth", "GOLD", "loyal", 10m, 0.1, [], null, new Consent(), null, "Europe/Berlin", "de-DE");
        var value = await new AvroSerializer<GenericRecord>(client).SerializeAsync(
            new ChannelEventWriter(SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"))).Write(profile), relationship, cancellationToken: ct);
        using (var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(kafka.Options(applicationId), "auth-producer")).Build())
        {
            await producer.ProduceAsync(relationship, new Message<string, byte[]> { Key = "cust-auth", Value = value }, ct);
        }

        string? served = null;
        for (var attempt = 0; attempt < 300 && served is null; attempt++)
        {
            using var response = await http.GetAsync(new Uri("/customers/cust-auth/context", UriKind.Relative), ct);
            served = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct) : null;
            await Task.Delay(served is null ? 200 : 0, ct);
        }

        processor.Terminate();
        await processor.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(served is not null, "the profile never became a context: " + processor.AllOutput);
        Assert.Equal("GOLD", JsonDocument.Parse(served).RootElement.GetProperty("relationship").GetProperty("tier").GetString());
        Assert.DoesNotContain(Password, processor.AllOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:" + Password)), processor.AllOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_and_rules_test_authenticate_with_the_processors_registry_settings()
    {
        // Both built their registry client from the URL alone, so against a registry that asks for credentials (as a
        // managed one does) they failed with "40101: Unauthorized" whatever C360__SchemaRegistry__* said.
        var ct = TestContext.Current.CancellationToken;
        var names = new UniqueNames(nameof(Simulate_and_rules_test_authenticate_with_the_processors_registry_settings));
        var applicationId = names.Group("app");
        var (topologyDirectory, catalog) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);
        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0, settings: new EmbeddedRegistrySettings(BasicAuth: "svc:" + Password), cancellationToken: ct);
        var credentials = new Dictionary<string, string?> { ["C360__SchemaRegistry__BasicAuthUserInfo"] = "svc:" + Password };

        using var simulate = C360Program.Start(
            ["simulate", "--bootstrap-servers", kafka.BootstrapServers, "--registry-url", registry.Url.ToString(), "--customers", "5", "--duration", "1", "--rate", "5", "--topology-dir", topologyDirectory],
            credentials);
        Assert.True(await simulate.WaitForExitAsync(TimeSpan.FromSeconds(120)), "simulate did not exit");
        Assert.True(simulate.ExitCode == 0, simulate.AllOutput);

        // The same topics, with the shipped rules renamed to write to them.
        var withRules = C360Program.WritePrefixedTopology(names, applicationId, withRules: true);
        var relationship = catalog.Topics.Single(t => t.Name.EndsWith("c360.relationship.v1", StringComparison.Ordinal)).Name;
        using var replay = C360Program.Start(
            ["rules", "test", "--rules", Path.Combine(withRules, "triggers.yaml"), "--events", relationship, "--bootstrap-servers", kafka.BootstrapServers,
             "--registry-url", registry.Url.ToString(), "--application-id", applicationId, "--topology-dir", withRules],
            credentials);
        Assert.True(await replay.WaitForExitAsync(TimeSpan.FromSeconds(120)), "rules test did not exit");
        Assert.True(replay.ExitCode == 0, replay.AllOutput);

        Assert.DoesNotContain(Password, simulate.AllOutput + replay.AllOutput, StringComparison.Ordinal);
    }
}
