using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

/// <summary>
/// A registry that refuses our credentials, or a URL where no registry answers for ids, says nothing about the record:
/// with wrong credentials or a URL missing its path every input was dead-lettered as UnknownSchemaId and readiness
/// stayed green. The serdes fail such a lookup as transient, so the partition waits, named, until the settings work.
/// </summary>
public sealed class MisconfiguredRegistryTests
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

    [Fact]
    public async Task An_id_lookup_answered_by_something_that_is_not_a_registry_is_transient_and_names_the_url_setting()
    {
        // Apicurio serves the Confluent API under /apis/ccompat/v7: a URL without that path answers 404 with no registry
        // error code, which is not "this id is unknown" (40403).
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0, cancellationToken: ct);
        using var right = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url.ToString() });
        using var wrongPath = new SchemaRegistryClient(new SchemaRegistryOptions { Url = new Uri(registry.Url, "/apis/ccompat/v7").ToString() });
        var bytes = await new AvroSerializer<GenericRecord>(right).SerializeAsync(AvroSamples.Record(Contracts.Latest("trigger").Schema, 1), "triggers", cancellationToken: ct);

        var error = Assert.Throws<SerdeException>(() => new AvroDeserializer<GenericRecord>(wrongPath).Deserialize(bytes));

        Assert.True(error.IsTransient, $"{error.Kind}: {error.Message}");
        Assert.Equal(SerdeErrorKind.RegistryUnavailable, error.Kind);
        Assert.Contains("not a registry's answer about the id", error.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:Url", error.Message, StringComparison.Ordinal);

        // A registry's own "unknown id" (40403) stays the record's problem (here with no retry window).
        var unknown = Assert.Throws<SerdeException>(() => new AvroDeserializer<GenericRecord>(right).Deserialize(new byte[] { 0, 0, 0, 0x7f, 0x7f, 2 }));
        Assert.Equal(SerdeErrorKind.UnknownSchemaId, unknown.Kind);
    }
}
