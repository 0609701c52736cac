using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>How the embedded registry runs beyond its port.</summary>
/// <param name="BasicAuth"><c>user:password</c> every request must carry, or null for none.</param>
/// <param name="BootstrapServers">Kafka that holds the <c>_schemas</c> log; null keeps the state in memory only.</param>
public sealed record EmbeddedRegistrySettings(string? BasicAuth = null, string? BootstrapServers = null, string Topic = KafkaRegistryLog.DefaultTopic);

/// <summary>
/// A development Schema Registry on loopback answering the Confluent REST API as Confluent's registry does for what
/// the serdes, the CLI and Confluent's client use: subjects, versions, ids, references, soft and permanent deletes,
/// compatibility (BACKWARD by default, Avro resolution rules) with JSON errors on every route. With a Kafka to point
/// at, its state lives in a <c>_schemas</c> topic and survives restarts. Production uses Confluent Schema Registry,
/// Karapace, Apicurio (ccompat) or Redpanda.
/// </summary>
public sealed class EmbeddedSchemaRegistry : IAsyncDisposable
{
    private const string ContentType = SchemaRegistryClient.ContentType;
    private readonly WebApplication _app;
    private readonly KafkaRegistryLog? _log;

    private EmbeddedSchemaRegistry(WebApplication app, RegistryStore store, Uri url, KafkaRegistryLog? log, RegistryReplay replayed)
    {
        _app = app;
        Store = store;
        Url = url;
        _log = log;
        (Replayed, PassedOver) = (replayed.Applied, replayed.PassedOver);
    }

    public Uri Url { get; }

    public RegistryStore Store { get; }

    /// <summary>Records read back from the <c>_schemas</c> log at start (0 without one).</summary>
    public int Replayed { get; }

    /// <summary>Records of the log passed over at start because their keys are not JSON: another program's.</summary>
    public int PassedOver { get; }

    /// <param name="port">TCP port on 127.0.0.1; 0 picks a free one (see <see cref="Url"/>).</param>
    public static async Task<EmbeddedSchemaRegistry> StartAsync(
        int port = 8081,
        CompatibilityLevel defaultLevel = CompatibilityLevel.Backward,
        EmbeddedRegistrySettings? settings = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= new EmbeddedRegistrySettings();
        var store = new RegistryStore(defaultLevel);
        KafkaRegistryLog? log = null;
        var replayed = new RegistryReplay(0, 0);
        if (settings.BootstrapServers is { } bootstrap)
        {
            log = new KafkaRegistryLog(bootstrap, settings.Topic);
            replayed = await log.ReplayIntoAsync(store, TimeSpan.FromSeconds(30));
            store.Changed = log.Append;
        }

        // Empty: no settings files, environment variables or logging. A slim builder read appsettings.json from the
        // working directory, so a processor's settings there (or a broken file) configured or broke the registry.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseStatusCodePages(context => WriteError(context.HttpContext, context.HttpContext.Response.StatusCode));
        if (settings.BasicAuth is { } credentials)
        {
            app.Use(RequireBasicAuth(credentials));
        }

        Map(app, store);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddedSchemaRegistry(app, store, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), log, replayed);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _log?.Dispose();
    }

    private static void Map(WebApplication app, RegistryStore store)
    {
        app.MapGet("/", () => Json(new JsonObject()));
        app.MapGet("/schemas/types", () => Json(new JsonArray("AVRO")));
        app.MapGet("/subjects", (bool? deleted) => Json(Array(store.Subjects(deleted ?? false))));
        app.MapGet("/subjects/{subject}/versions", (string subject, bool? deleted) => Handle(() => Json(Array(store.VersionNumbers(subject, deleted ?? false)))));
        app.MapPost("/subjects/{subject}/versions", (string subject, HttpRequest request) =>
            HandleAsync(request, body => Json(ToJson(store.Register(subject, SchemaOf(body), SchemaReference.ListFrom(body))))));
        app.MapPost("/subjects/{subject}", (string subject, bool? deleted, HttpRequest request) =>
            HandleAsync(request, body => Json(ToJson(store.Lookup(subject, SchemaOf(body), SchemaReference.ListFrom(body), deleted ?? false)))));
        app.MapDelete("/subjects/{subject}", (string subject, bool? permanent) => Handle(() => Json(Array(store.DeleteSubject(subject, permanent ?? false)))));
        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version, bool? deleted) =>
            Handle(() => Json(ToJson(store.Version(subject, version, deleted ?? false)))));
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version) =>
            Handle(() => Results.Text(store.Version(subject, version).Schema, ContentType)));
        app.MapDelete("/subjects/{subject}/versions/{version}", (string subject, string version, bool? permanent) =>
            Handle(() => Json(JsonValue.Create(store.DeleteVersion(subject, version, permanent ?? false)))));
        app.MapGet("/schemas/ids/{id:int}", (int id) => Handle(() => Json(new JsonObject
        {
            ["schema"] = store.SchemaById(id),
            ["references"] = SchemaReference.ToJson(store.ReferencesById(id)),
        })));
        app.MapGet("/schemas/ids/{id:int}/schema", (int id) => Handle(() => Results.Text(store.SchemaById(id), ContentType)));
        app.MapGet("/schemas/ids/{id:int}/versions", (int id) => Handle(() => Json(new JsonArray(
            [.. store.VersionsOfId(id).Select(v => (JsonNode)new JsonObject { ["subject"] = v.Subject, ["version"] = v.Version })]))));
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request) =>
            HandleAsync(request, body =>
            {
                var result = store.TestCompatibility(subject, version, SchemaOf(body), SchemaReference.ListFrom(body));
                return Json(new JsonObject { ["is_compatible"] = result.IsCompatible, ["messages"] = Array(result.Messages) });
            }));
        app.MapGet("/config", () => Json(new JsonObject { ["compatibilityLevel"] = CompatibilityLevels.ToWire(store.GetLevel(null, true)) }));
        app.MapGet("/config/{subject}", (string subject, bool? defaultToGlobal) =>
            Handle(() => Json(new JsonObject { ["compatibilityLevel"] = CompatibilityLevels.ToWire(store.GetLevel(subject, defaultToGlobal ?? false)) })));
        app.MapPut("/config", (HttpRequest request) => HandleAsync(request, body => SetLevel(store, null, body)));
        app.MapPut("/config/{subject}", (string subject, HttpRequest request) => HandleAsync(request, body => SetLevel(store, subject, body)));
    }

    /// <summary>Refuses, with Confluent's 401 body, a request without the configured credentials (compared in constant time).</summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireBasicAuth(string credentials)
    {
        var expected = Encoding.UTF8.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return (context, next) =>
        {
            var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return next(context);
            }

            context.Response.Headers.WWWAuthenticate = "Basic realm=\"c360-registry\"";
            return Error(401, 40101, "Unauthorized").ExecuteAsync(context);
        };
    }

    private static IResult SetLevel(RegistryStore store, string? subject, JsonObject body)
    {
        var level = RequestFields.Text(body, "compatibility", SchemaRegistryException.Codes.InvalidCompatibilityLevel)
            ?? throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidCompatibilityLevel, "Missing 'compatibility'.");
        store.SetLevel(subject, level);
        return Json(new JsonObject { ["compatibility"] = level.ToUpperInvariant() });
    }

    private static string SchemaOf(JsonObject body)
    {
        var type = RequestFields.Text(body, "schemaType", SchemaRegistryException.Codes.InvalidSchema);
        if (type is not null && !string.Equals(type, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, $"Schema type {type} is not supported by the embedded registry (AVRO only).");
        }

        var schema = RequestFields.Text(body, "schema", SchemaRegistryException.Codes.InvalidSchema);
        return string.IsNullOrWhiteSpace(schema)
            ? throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, schema is null ? "Missing 'schema'." : "Invalid schema: 'schema' is empty.")
            : schema;
    }

    private static JsonArray Array<T>(IEnumerable<T> values) => new([.. values.Select(v => JsonValue.Create(v))]);

    private static JsonObject ToJson(RegisteredSchema schema) => new()
    {
        ["subject"] = schema.Subject,
        ["id"] = schema.Id,
        ["version"] = schema.Version,
        ["schemaType"] = "AVRO",
        ["schema"] = schema.Schema,
    };

    private static IResult Handle(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (SchemaRegistryException ex)
        {
            return Error(ex.HttpStatus, ex.ErrorCode, ex.Message);
        }
    }

    /// <summary>Reads the body as JSON whatever its content type: clients send any of three registry media types.</summary>
    private static async Task<IResult> HandleAsync(HttpRequest request, Func<JsonObject, IResult> action)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body) as JsonObject
                ?? throw new System.Text.Json.JsonException("not an object");
        }
        catch (System.Text.Json.JsonException)
        {
            return Error(422, 42201, "Request body is not a JSON object.");
        }

        return Handle(() => action(body));
    }

    /// <summary>An error answered by routing (no route, wrong method) with the JSON body every registry error has.</summary>
    private static Task WriteError(HttpContext context, int status) =>
        Error(status, status, status switch
        {
            400 => $"HTTP 400 Bad Request: {context.Request.Method} {context.Request.Path}{context.Request.QueryString} has a value of the wrong type (booleans are true or false)",
            404 => $"HTTP 404 Not Found: {context.Request.Method} {context.Request.Path} is not a route of the embedded registry",
            405 => $"HTTP 405 Method Not Allowed: {context.Request.Method} {context.Request.Path}",
            _ => $"HTTP {status}",
        }).ExecuteAsync(context);

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ContentType);

    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString(), ContentType, statusCode: status);
}
