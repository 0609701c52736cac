using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using ConfluentRegistryException = Confluent.SchemaRegistry.SchemaRegistryException;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// Our registry interface on Confluent's <see cref="CachedSchemaRegistryClient"/>: its authentication (basic, static
/// bearer, OAuth client credentials), mTLS, proxies, retries with failover over several URLs and id caches, with
/// Confluent's errors mapped onto ours (<see cref="RegistryErrors"/>). Two things it does not give, we add: the
/// reasons a schema is incompatible (the REST API's <c>verbose=true</c>) and a subject's compatibility falling back to
/// the global level.
/// </summary>
public sealed class SchemaRegistryClient : ISchemaRegistryClient, IDisposable
{
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly CachedSchemaRegistryClient _client;
    private readonly RegistryConnection _connection;

    public SchemaRegistryClient(SchemaRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = new RegistryConnection(options);
        _client = new CachedSchemaRegistryClient(_connection.ClientConfig(), _connection.Authentication, _connection.Proxy);
    }

    public Task<int> RegisterAsync(string subject, string schema, bool normalize = false, CancellationToken cancellationToken = default) =>
        Call(() => _client.RegisterSchemaAsync(subject, Avro(schema), normalize));

    public Task<RegisteredSchema> LookupAsync(string subject, string schema, CancellationToken cancellationToken = default) =>
        Call(async () => ToRegistered(await _client.LookupSchemaAsync(subject, Avro(schema), ignoreDeletedSchemas: true, normalize: false)));

    public Task<string> GetSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        Call(async () => (await _client.GetSchemaAsync(id)).SchemaString);

    /// <summary>Cached for <c>SchemaRegistry:LatestCacheTtlSecs</c> (0: asked every time).</summary>
    public Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default) =>
        Call(async () => ToRegistered(await _client.GetLatestSchemaAsync(subject)));

    public Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default) =>
        Call(async () => ToRegistered(await _client.GetRegisteredSchemaAsync(subject, version, ignoreDeletedSchemas: true)));

    public Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) =>
        Call(async () => (IReadOnlyList<string>)await _client.GetAllSubjectsAsync());

    public async Task<CompatibilityResult> TestCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        bool compatible;
        try
        {
            compatible = await Call(() => _client.IsCompatibleAsync(subject, Avro(schema)));
        }
        catch (SchemaRegistryException ex) when (ex.ErrorCode is SchemaRegistryException.Codes.SubjectNotFound or SchemaRegistryException.Codes.VersionNotFound)
        {
            // Registries older than Confluent 7 answer 404 where newer ones answer compatible: no history, no conflict.
            return new CompatibilityResult(true, ["subject has no versions yet"]);
        }

        return compatible ? new CompatibilityResult(true, []) : new CompatibilityResult(false, await IncompatibilityReasonsAsync(subject, schema, cancellationToken));
    }

    public async Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default)
    {
        Compatibility level;
        try
        {
            level = await Call(() => _client.GetCompatibilityAsync(subject));
        }
        catch (SchemaRegistryException ex) when (subject is not null && ex.ErrorCode is SchemaRegistryException.Codes.SubjectNotFound or SchemaRegistryException.Codes.SubjectLevelNotConfigured)
        {
            // No level of its own: the subject follows the global one, as the registry applies it.
            level = await Call(() => _client.GetCompatibilityAsync(null));
        }

        return FromConfluent(level);
    }

    public Task SetCompatibilityAsync(CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default) =>
        Call(() => _client.UpdateCompatibilityAsync(ToConfluent(level), subject));

    public void Dispose()
    {
        _client.Dispose();
        _connection.Dispose();
    }

    /// <summary>
    /// The registry's reasons, from the REST API with <c>verbose=true</c> (the client gives only a bool). Reasons are
    /// a courtesy: when that call fails, the answer is still "incompatible", with a note saying why there are none.
    /// </summary>
    private async Task<IReadOnlyList<string>> IncompatibilityReasonsAsync(string subject, string schema, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["schema"] = schema, ["schemaType"] = "AVRO" }.ToJsonString();
        foreach (var baseUri in _connection.BaseUris)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"compatibility/subjects/{Uri.EscapeDataString(subject)}/versions/latest?verbose=true"))
                {
                    Content = new StringContent(body, Encoding.UTF8),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                await _connection.AuthorizeAsync(request);
                using var response = await _connection.Http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode
                    && JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["messages"] is JsonArray messages)
                {
                    return [.. messages.Select(m => m!.ToString())];
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // Try the next URL; without any, the reasons are simply unknown.
            }
        }

        return ["the registry gave no reasons"];
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (RegistryErrors.Map(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    private static async Task Call(Func<Task> call) => await Call(async () =>
    {
        await call();
        return true;
    });

    private static Schema Avro(string schema) => new(schema, SchemaType.Avro);

    private static RegisteredSchema ToRegistered(Confluent.SchemaRegistry.RegisteredSchema schema) =>
        new(schema.Subject, schema.Id, schema.Version, schema.SchemaString);

    private static CompatibilityLevel FromConfluent(Compatibility level) => level switch
    {
        Compatibility.None => CompatibilityLevel.None,
        Compatibility.Backward => CompatibilityLevel.Backward,
        Compatibility.BackwardTransitive => CompatibilityLevel.BackwardTransitive,
        Compatibility.Forward => CompatibilityLevel.Forward,
        Compatibility.ForwardTransitive => CompatibilityLevel.ForwardTransitive,
        Compatibility.Full => CompatibilityLevel.Full,
        Compatibility.FullTransitive => CompatibilityLevel.FullTransitive,
        _ => throw new SchemaRegistryException(200, SchemaRegistryException.Codes.InvalidCompatibilityLevel, $"Unknown compatibility level '{level}'."),
    };

    private static Compatibility ToConfluent(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => Compatibility.None,
        CompatibilityLevel.Backward => Compatibility.Backward,
        CompatibilityLevel.BackwardTransitive => Compatibility.BackwardTransitive,
        CompatibilityLevel.Forward => Compatibility.Forward,
        CompatibilityLevel.ForwardTransitive => Compatibility.ForwardTransitive,
        CompatibilityLevel.Full => Compatibility.Full,
        CompatibilityLevel.FullTransitive => Compatibility.FullTransitive,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };
}
