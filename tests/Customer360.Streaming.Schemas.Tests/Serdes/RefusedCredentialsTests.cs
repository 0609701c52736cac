using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

/// <summary>
/// A registry that refuses our credentials (401, or 403 for a subject we may not read) says nothing about the record:
/// with wrong or rotated credentials every input was dead-lettered as UnknownSchemaId and readiness stayed green.
/// The serdes fail such a lookup as transient, so the partition waits, named, until the credentials work.
/// </summary>
public sealed class RefusedCredentialsTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    [Fact]
    public async Task Lookups_the_registry_refuses_for_our_credentials_are_transient_and_say_which_settings_to_check()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0, settings: new EmbeddedRegistrySettings(BasicAuth: "svc:right"), cancellationToken: ct);
        using var allowed = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url.ToString(), BasicAuthUserInfo = "svc:right" });
        using var refused = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url.ToString(), BasicAuthUserInfo = "svc:wrong-pw-7e" });
        var record = AvroSamples.Record(Contracts.Latest("trigger").Schema, 1);
        var bytes = await new AvroSerializer<GenericRecord>(allowed).SerializeAsync(record, "triggers", cancellationToken: ct);

        var reading = Assert.Throws<SerdeException>(() => new AvroDeserializer<GenericRecord>(refused).Deserialize(bytes));
        var writing = await Assert.ThrowsAsync<SerdeException>(() => new AvroSerializer<GenericRecord>(refused).SerializeAsync(record, "triggers", cancellationToken: ct));

        foreach (var error in new[] { reading, writing })
        {
            Assert.True(error.IsTransient, $"{error.Kind}: {error.Message}");
            Assert.Equal(SerdeErrorKind.RegistryRefusedCredentials, error.Kind);
            Assert.Contains("Schema Registry refused our credentials (40101", error.Message, StringComparison.Ordinal);
            Assert.Contains("SchemaRegistry:BasicAuthUserInfo", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-pw-7e", error.Message, StringComparison.Ordinal);
        }

        // The same id decodes once the credentials are right: nothing about the record was wrong.
        Assert.Equal(AvroRendering.ToText(record), AvroRendering.ToText(new AvroDeserializer<GenericRecord>(allowed).Deserialize(bytes)));
    }
}
