using System.Net;
using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// A development Schema Registry: the Confluent REST subset the serdes and the CLI use, in memory, on loopback.
/// BACKWARD compatibility by default, checked with Avro schema-resolution rules. Production uses Confluent Schema
/// Registry, Karapace, Apicurio (ccompat) or Redpanda.
/// </summary>
public sealed class EmbeddedSchemaRegistry : IAsyncDisposable
{
    private const string ContentType = SchemaRegistryClient.ContentType;
    private readonly WebApplication _app;

    private EmbeddedSchemaRegistry(WebApplication app, RegistryStore store, Uri url)
    {
        _app = app;
        Store = store;
        Url = url;
    }

    public Uri Url { get; }

    public RegistryStore Store { get; }

    /// <param name="port">TCP port on 127.0.0.1; 0 picks a free one (see <see cref="Url"/>).</param>
    public static async Task<EmbeddedSchemaRegistry> StartAsync(
        int port = 8081,
        CompatibilityLevel defaultLevel = CompatibilityLevel.Backward,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var store = new RegistryStore(defaultLevel);
        Map(app, store);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddedSchemaRegistry(app, store, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Map(WebApplication app, RegistryStore store)
    {
        app.MapGet("/", () => Json(new JsonObject()));
        app.MapGet("/subjects", () => Json(new JsonArray([.. store.Subjects().Select(s => JsonValue.Create(s))])));
        app.MapGet("/subjects/{subject}/versions", (string subject) =>
            Handle(() => Json(new JsonArray([.. store.VersionNumbers(subject).Select(v => JsonValue.Create(v))]))));
        app.MapPost("/subjects/{subject}/versions", (string subject, HttpRequest request) =>
            HandleAsync(request, body => Json(new JsonObject { ["id"] = store.Register(subject, SchemaOf(body)) })));
        app.MapPost("/subjects/{subject}", (string subject, HttpRequest request) =>
            HandleAsync(request, body => Json(ToJson(store.Lookup(subject, SchemaOf(body))))));
        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version) =>
            Handle(() => Json(ToJson(store.Version(subject, version)))));
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version) =>
            Handle(() => Results.Text(store.Version(subject, version).Schema, ContentType)));
        app.MapGet("/schemas/ids/{id:int}", (int id) => Handle(() => Json(new JsonObject { ["schema"] = store.SchemaById(id) })));
        app.MapGet("/schemas/ids/{id:int}/schema", (int id) => Handle(() => Results.Text(store.SchemaById(id), ContentType)));
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request) =>
            HandleAsync(request, body =>
            {
                var result = store.TestCompatibility(subject, version, SchemaOf(body));
                return Json(new JsonObject
                {
                    ["is_compatible"] = result.IsCompatible,
                    ["messages"] = new JsonArray([.. result.Messages.Select(m => JsonValue.Create(m))]),
                });
            }));
        app.MapGet("/config", () => Json(new JsonObject { ["compatibilityLevel"] = CompatibilityLevels.ToWire(store.GetLevel(null, true)) }));
        app.MapGet("/config/{subject}", (string subject, bool? defaultToGlobal) =>
            Handle(() => Json(new JsonObject { ["compatibilityLevel"] = CompatibilityLevels.ToWire(store.GetLevel(subject, defaultToGlobal ?? false)) })));
        app.MapPut("/config", (HttpRequest request) => HandleAsync(request, body => SetLevel(store, null, body)));
        app.MapPut("/config/{subject}", (string subject, HttpRequest request) => HandleAsync(request, body => SetLevel(store, subject, body)));
    }

    private static IResult SetLevel(RegistryStore store, string? subject, JsonObject body)
    {
        var level = body["compatibility"]?.GetValue<string>()
            ?? throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidCompatibilityLevel, "Missing 'compatibility'.");
        store.SetLevel(subject, level);
        return Json(new JsonObject { ["compatibility"] = level.ToUpperInvariant() });
    }

    private static string SchemaOf(JsonObject body)
    {
        var type = body["schemaType"]?.GetValue<string>();
        if (type is not null && !string.Equals(type, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, $"Schema type {type} is not supported by the embedded registry (AVRO only).");
        }

        return body["schema"]?.GetValue<string>()
            ?? throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, "Missing 'schema'.");
    }

    private static JsonObject ToJson(RegisteredSchema schema) => new()
    {
        ["subject"] = schema.Subject,
        ["id"] = schema.Id,
        ["version"] = schema.Version,
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

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ContentType);

    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString(), ContentType, statusCode: status);
}
