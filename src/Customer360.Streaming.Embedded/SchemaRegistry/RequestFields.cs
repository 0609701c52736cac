using System.Text.Json;
using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// Reads the fields of a registry request body (and of a record of its state topic), refusing one of the wrong JSON
/// type as Confluent's registry does (422 with the given error code) instead of failing the request with a 500 that
/// clients would retry.
/// </summary>
internal static class RequestFields
{
    /// <summary>The field's text, or null when it is absent or JSON null.</summary>
    public static string? Text(JsonNode? owner, string field, int errorCode) =>
        owner?[field] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            var other => throw WrongType(field, "a string", other, errorCode),
        };

    /// <summary>The field's whole number, or null when it is absent or JSON null.</summary>
    public static int? Number(JsonNode? owner, string field, int errorCode) =>
        owner?[field] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<int>(out var number) => number,
            var other => throw WrongType(field, "a whole number", other, errorCode),
        };

    /// <summary>The field's truth value, or null when it is absent or JSON null.</summary>
    public static bool? Flag(JsonNode? owner, string field, int errorCode) =>
        owner?[field] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
            var other => throw WrongType(field, "true or false", other, errorCode),
        };

    /// <summary>The field's array, or null when it is absent or JSON null.</summary>
    public static JsonArray? List(JsonNode? owner, string field, int errorCode) =>
        owner?[field] switch
        {
            null => null,
            JsonArray list => list,
            var other => throw WrongType(field, "an array", other, errorCode),
        };

    private static SchemaRegistryException WrongType(string field, string expected, JsonNode found, int errorCode) =>
        new(422, errorCode, $"'{field}' must be {expected}, not {found.GetValueKind().ToString().ToLowerInvariant()}.");
}
