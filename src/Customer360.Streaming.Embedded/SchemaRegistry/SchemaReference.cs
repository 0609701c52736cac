using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>A schema's reference to a named type registered under another subject (Confluent's <c>references</c>).</summary>
public sealed record SchemaReference(string Name, string Subject, int Version)
{
    /// <summary>Confluent's JSON for a list of references, as the REST API answers it and the <c>_schemas</c> log keeps it.</summary>
    public static JsonArray ToJson(IEnumerable<SchemaReference> references) =>
        new([.. references.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version })]);

    /// <summary>The references of a request body or log record (none when absent); an incomplete one is an invalid schema (422).</summary>
    public static List<SchemaReference> ListFrom(JsonNode? references) =>
        references is JsonArray list
            ? [.. list.Select(r => new SchemaReference(
                r?["name"]?.GetValue<string>() ?? throw Invalid("name"),
                r["subject"]?.GetValue<string>() ?? throw Invalid("subject"),
                r["version"]?.GetValue<int>() ?? throw Invalid("version")))]
            : [];

    private static SchemaRegistryException Invalid(string field) =>
        new(422, SchemaRegistryException.Codes.InvalidSchema, $"A reference has no '{field}'.");
}
