using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>A schema's reference to a named type registered under another subject (Confluent's <c>references</c>).</summary>
public sealed record SchemaReference(string Name, string Subject, int Version)
{
    /// <summary>Confluent's JSON for a list of references, as the REST API answers it and the <c>_schemas</c> log keeps it.</summary>
    public static JsonArray ToJson(IEnumerable<SchemaReference> references) =>
        new([.. references.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version })]);

    /// <summary>
    /// The <c>references</c> of a request body or log record (none when absent); an incomplete one, or one of the
    /// wrong JSON type, is an invalid schema (422).
    /// </summary>
    public static List<SchemaReference> ListFrom(JsonNode? owner) =>
        RequestFields.List(owner, "references", SchemaRegistryException.Codes.InvalidSchema) is { } list
            ? [.. list.Select(From)]
            : [];

    private static SchemaReference From(JsonNode? reference) =>
        reference is JsonObject fields
            ? new SchemaReference(
                RequestFields.Text(fields, "name", SchemaRegistryException.Codes.InvalidSchema) ?? throw Invalid("name"),
                RequestFields.Text(fields, "subject", SchemaRegistryException.Codes.InvalidSchema) ?? throw Invalid("subject"),
                RequestFields.Number(fields, "version", SchemaRegistryException.Codes.InvalidSchema) ?? throw Invalid("version"))
            : throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, "Each of 'references' must be an object with name, subject and version.");

    private static SchemaRegistryException Invalid(string field) =>
        new(422, SchemaRegistryException.Codes.InvalidSchema, $"A reference has no '{field}'.");
}
