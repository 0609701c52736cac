using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// One change of the registry's state as a record of its <c>_schemas</c> log, keyed so that compaction keeps the
/// latest per subject version and per level: a version (registered or soft-deleted), a permanent deletion (a
/// tombstone), a compatibility level. The JSON is ours, shaped after Confluent's (<c>keytype</c>, subject, version).
/// </summary>
public abstract record RegistryRecord
{
    private RegistryRecord()
    {
    }

    public abstract byte[] Key { get; }

    /// <summary>The value, or null for a tombstone.</summary>
    public abstract byte[]? Value { get; }

    /// <summary>The record a log entry holds, or null for a kind another registry writes.</summary>
    /// <exception cref="FormatException">The entry is not JSON, or lacks a field its kind needs.</exception>
    /// <exception cref="SchemaRegistryException">A field has the wrong JSON type.</exception>
    public static RegistryRecord? Read(byte[] key, byte[]? value)
    {
        const int Invalid = SchemaRegistryException.Codes.InvalidSchema;
        var k = JsonObjectOf(key, "key");
        var subject = RequestFields.Text(k, "subject", Invalid);
        switch (RequestFields.Text(k, "keytype", Invalid))
        {
            case "SCHEMA" when value is null:
                return new VersionRemoved(Required(subject, "subject"), Required(RequestFields.Number(k, "version", Invalid), "version"));
            case "SCHEMA":
                var v = JsonObjectOf(value, "value");
                return new SchemaVersion(
                    Required(subject, "subject"),
                    Required(RequestFields.Number(v, "version", Invalid), "version"),
                    Required(RequestFields.Number(v, "id", Invalid), "id"),
                    Required(RequestFields.Text(v, "schema", Invalid), "schema"),
                    SchemaReference.ListFrom(v),
                    RequestFields.Flag(v, "deleted", Invalid) ?? false);
            case "CONFIG" when value is not null:
                var wire = RequestFields.Text(JsonObjectOf(value, "value"), "compatibilityLevel", SchemaRegistryException.Codes.InvalidCompatibilityLevel);
                return CompatibilityLevels.TryParse(wire, out var level) ? new Level(subject, level) : null;
            default:
                // Another registry's record kinds (modes, deletes of configs): not ours to replay.
                return null;
        }
    }

    /// <summary>Whether a log record's key is a JSON object, as every registry's keys are; anything else is another program's.</summary>
    public static bool IsJsonKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            return JsonNode.Parse(key) is JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonObject JsonObjectOf(byte[] json, string part)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"the {part} is not a JSON object");
        }
        catch (JsonException)
        {
            throw new FormatException($"the {part} is not JSON");
        }
    }

    private static T Required<T>(T? value, string field)
        where T : notnull =>
        value ?? throw new FormatException($"'{field}' is missing");

    private static int Required(int? value, string field) => value ?? throw new FormatException($"'{field}' is missing");

    private static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>A subject's version: registered, or soft-deleted when <paramref name="Deleted"/>.</summary>
    public sealed record SchemaVersion(string Subject, int Version, int Id, string Schema, IReadOnlyList<SchemaReference> References, bool Deleted) : RegistryRecord
    {
        public override byte[] Key => Json(new JsonObject { ["keytype"] = "SCHEMA", ["subject"] = Subject, ["version"] = Version, ["magic"] = 1 });

        public override byte[] Value => Json(new JsonObject
        {
            ["subject"] = Subject,
            ["version"] = Version,
            ["id"] = Id,
            ["schema"] = Schema,
            ["references"] = SchemaReference.ToJson(References),
            ["deleted"] = Deleted,
        });
    }

    /// <summary>A version deleted permanently.</summary>
    public sealed record VersionRemoved(string Subject, int Version) : RegistryRecord
    {
        public override byte[] Key => Json(new JsonObject { ["keytype"] = "SCHEMA", ["subject"] = Subject, ["version"] = Version, ["magic"] = 1 });

        public override byte[]? Value => null;
    }

    /// <summary>The compatibility level of a subject, or the global one when <paramref name="Subject"/> is null.</summary>
    public sealed record Level(string? Subject, CompatibilityLevel Compatibility) : RegistryRecord
    {
        public override byte[] Key => Json(new JsonObject { ["keytype"] = "CONFIG", ["subject"] = Subject, ["magic"] = 0 });

        public override byte[] Value => Json(new JsonObject { ["compatibilityLevel"] = CompatibilityLevels.ToWire(Compatibility) });
    }
}
