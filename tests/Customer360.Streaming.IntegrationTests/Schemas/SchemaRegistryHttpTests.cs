using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Schemas;

/// <summary>The embedded registry over HTTP, through our client: the error codes other registries answer with.</summary>
public sealed class SchemaRegistryHttpTests(SchemaRegistryFixture registry)
{
    internal const string V1 = """{"type":"record","name":"Visit","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"}]}""";
    internal const string V2 = """{"type":"record","name":"Visit","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"channel","type":"string","default":"web"}]}""";
    private const string IncompatibleV3 = """{"type":"record","name":"Visit","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"channel","type":"string","default":"web"},{"name":"store","type":"string"}]}""";

    [Fact]
    public async Task Register_EvolvingSubject_AcceptsV2WithDefault_RejectsIncompatibleV3With409()
    {
        using var client = registry.CreateClient();
        var subject = new UniqueNames(nameof(Register_EvolvingSubject_AcceptsV2WithDefault_RejectsIncompatibleV3With409)).Topic("visits") + "-value";
        var ct = TestContext.Current.CancellationToken;

        var id1 = await client.RegisterAsync(subject, V1, cancellationToken: ct);
        var id2 = await client.RegisterAsync(subject, V2, cancellationToken: ct);
        Assert.Equal(id1, await client.RegisterAsync(subject, V1, cancellationToken: ct));
        Assert.False((await client.TestCompatibilityAsync(subject, IncompatibleV3, ct)).IsCompatible);
        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterAsync(subject, IncompatibleV3, cancellationToken: ct));

        Assert.NotEqual(id1, id2);
        Assert.Equal(409, error.HttpStatus);
        Assert.Equal(SchemaRegistryException.Codes.IncompatibleSchema, error.ErrorCode);
        Assert.Equal(2, (await client.GetLatestAsync(subject, ct)).Version);
        Assert.Equal(V1, (await client.GetVersionAsync(subject, 1, ct)).Schema);
        Assert.Equal(id2, (await client.LookupAsync(subject, V2, ct)).Id);
    }

    [Fact]
    public async Task Errors_UnknownSubjectVersionSchemaAndInvalidSchema_CarryConfluentErrorCodes()
    {
        using var client = registry.CreateClient();
        var subject = new UniqueNames(nameof(Errors_UnknownSubjectVersionSchemaAndInvalidSchema_CarryConfluentErrorCodes)).Topic("errors") + "-value";
        var ct = TestContext.Current.CancellationToken;

        var noSubject = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetLatestAsync(subject, ct));
        await client.RegisterAsync(subject, V1, cancellationToken: ct);
        var noVersion = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetVersionAsync(subject, 9, ct));
        var noSchema = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetSchemaAsync(999_999, ct));
        var notInSubject = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.LookupAsync(subject, V2, ct));
        var invalid = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterAsync(subject, "{\"type\":\"record\"}", cancellationToken: ct));

        Assert.Equal(SchemaRegistryException.Codes.SubjectNotFound, noSubject.ErrorCode);
        Assert.Equal(SchemaRegistryException.Codes.VersionNotFound, noVersion.ErrorCode);
        Assert.Equal(SchemaRegistryException.Codes.SchemaNotFound, noSchema.ErrorCode);
        Assert.Equal(SchemaRegistryException.Codes.SchemaNotFound, notInSubject.ErrorCode);
        Assert.Equal(SchemaRegistryException.Codes.InvalidSchema, invalid.ErrorCode);
        Assert.Equal(422, invalid.HttpStatus);
        Assert.All([noSubject, noVersion, noSchema, invalid], e => Assert.False(e.IsTransient));
    }

    [Fact]
    public async Task Config_SubjectLevelOverridesGlobal_AndNoneAcceptsAnything()
    {
        using var client = registry.CreateClient();
        var subject = new UniqueNames(nameof(Config_SubjectLevelOverridesGlobal_AndNoneAcceptsAnything)).Topic("config") + "-value";
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(CompatibilityLevel.Backward, await client.GetCompatibilityAsync(cancellationToken: ct));
        await client.RegisterAsync(subject, V1, cancellationToken: ct);
        await client.SetCompatibilityAsync(CompatibilityLevel.None, subject, ct);

        Assert.Equal(CompatibilityLevel.None, await client.GetCompatibilityAsync(subject, ct));
        Assert.True(await client.RegisterAsync(subject, IncompatibleV3, cancellationToken: ct) > 0);
        Assert.Equal(CompatibilityLevel.Backward, await client.GetCompatibilityAsync(cancellationToken: ct));
    }
}
