using System.Text;
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

    public static RegistryRecord? Read(byte[] key, byte[]? value)
    {
        var k = JsonNode.Parse(key)?.AsObject() ?? throw new FormatException("a _schemas key is not a JSON object");
        var subject = k["subject"]?.GetValue<string>();
        switch (k["keytype"]?.GetValue<string>())
        {
            case "SCHEMA" when value is null:
                return new VersionRemoved(subject!, k["version"]!.GetValue<int>());
            case "SCHEMA":
                var v = JsonNode.Parse(value)!.AsObject();
                return new SchemaVersion(subject!, v["version"]!.GetValue<int>(), v["id"]!.GetValue<int>(), v["schema"]!.GetValue<string>(), SchemaReference.ListFrom(v), v["deleted"]?.GetValue<bool>() ?? false);
            case "CONFIG" when value is not null:
                var wire = JsonNode.Parse(value)!["compatibilityLevel"]?.GetValue<string>();
                return CompatibilityLevels.TryParse(wire, out var level) ? new Level(subject, level) : null;
            default:
                // Another registry's record kinds (modes, deletes of configs): not ours to replay.
                return null;
        }
    }

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
