using Avro;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// The embedded registry's state, answering as Confluent's registry does: global schema ids (one per distinct schema,
/// shared across subjects), subjects with versions that can be soft- and then permanently deleted, references between
/// schemas, and compatibility levels. A schema's identity is its whole parsed form (docs, defaults and logical types
/// included), so a contract that changes only those gets a new id and version. Every change is offered to
/// <see cref="Changed"/> (the <c>_schemas</c> log) before it is answered, and <see cref="Apply"/> replays the log.
/// Thread-safe; the HTTP layer only translates.
/// </summary>
public sealed class RegistryStore(CompatibilityLevel defaultLevel = CompatibilityLevel.Backward)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, StoredSchema> _schemas = [];
    private readonly Dictionary<string, int> _idsByIdentity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<SubjectVersion>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompatibilityLevel> _subjectLevels = new(StringComparer.Ordinal);
    private CompatibilityLevel _globalLevel = defaultLevel;

    /// <summary>Called under the store's lock with each change, before the change is answered; a throw refuses it.</summary>
    public Action<RegistryRecord>? Changed { get; set; }

    public int Register(string subject, string schemaText) => Register(subject, schemaText, []).Id;

    public RegisteredSchema Register(string subject, string schemaText, IReadOnlyList<SchemaReference> references)
    {
        lock (_gate)
        {
            var schema = Parse(schemaText, references);
            var identity = Identity(schema, references);
            var versions = _subjects.GetValueOrDefault(subject) ?? [];
            var live = versions.Where(v => !v.Deleted).ToList();
            if (_idsByIdentity.TryGetValue(identity, out var known) && live.FirstOrDefault(v => v.Id == known) is { } existing)
            {
                return new RegisteredSchema(subject, known, existing.Version, _schemas[known].Text);
            }

            var level = _subjectLevels.GetValueOrDefault(subject, _globalLevel);
            var result = SchemaCompatibility.Check(level, schema, [.. live.Select(v => _schemas[v.Id].Parsed)]);
            if (!result.IsCompatible)
            {
                throw new SchemaRegistryException(409, 409,
                    $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({CompatibilityLevels.ToWire(level)}): "
                    + string.Join("; ", result.Messages));
            }

            var id = _idsByIdentity.TryGetValue(identity, out var shared) ? shared : (_schemas.Count == 0 ? 1 : _schemas.Keys.Max() + 1);
            var version = versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1;
            Record(new RegistryRecord.SchemaVersion(subject, version, id, schemaText, references, Deleted: false));
            return new RegisteredSchema(subject, id, version, _schemas[id].Text);
        }
    }

    public RegisteredSchema Lookup(string subject, string schemaText, IReadOnlyList<SchemaReference>? references = null, bool includeDeleted = false)
    {
        lock (_gate)
        {
            var identity = Identity(Parse(schemaText, references ?? []), references ?? []);
            var match = _idsByIdentity.TryGetValue(identity, out var id)
                ? Versions(subject, includeDeleted).FirstOrDefault(v => v.Id == id)
                : null;
            return match is null
                ? throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SchemaNotFound, "Schema not found")
                : new RegisteredSchema(subject, id, match.Version, _schemas[id].Text);
        }
    }

    public string SchemaById(int id) => StoredById(id).Text;

    public IReadOnlyList<SchemaReference> ReferencesById(int id) => StoredById(id).References;

    /// <summary>Where schema <paramref name="id"/> is registered: (subject, version) pairs that are not deleted.</summary>
    public IReadOnlyList<(string Subject, int Version)> VersionsOfId(int id)
    {
        lock (_gate)
        {
            _ = StoredById(id);
            return [.. _subjects.OrderBy(s => s.Key, StringComparer.Ordinal)
                .SelectMany(s => s.Value.Where(v => v.Id == id && !v.Deleted).Select(v => (s.Key, v.Version)))];
        }
    }

    public IReadOnlyList<string> Subjects(bool includeDeleted = false)
    {
        lock (_gate)
        {
            return [.. _subjects.Where(s => includeDeleted || s.Value.Any(v => !v.Deleted)).Select(s => s.Key).Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<int> VersionNumbers(string subject, bool includeDeleted = false)
    {
        lock (_gate)
        {
            return [.. Versions(subject, includeDeleted).Select(v => v.Version)];
        }
    }

    /// <param name="version">A version number, or "latest" / "-1".</param>
    public RegisteredSchema Version(string subject, string version, bool includeDeleted = false)
    {
        lock (_gate)
        {
            var found = Find(subject, version, includeDeleted);
            return new RegisteredSchema(subject, found.Id, found.Version, _schemas[found.Id].Text);
        }
    }

    /// <summary>
    /// Checks <paramref name="schemaText"/> against the subject's versions up to <paramref name="version"/>. "latest" of a
    /// subject with no versions is compatible, as Confluent answers; a numbered version that does not exist is not found.
    /// </summary>
    public CompatibilityResult TestCompatibility(string subject, string version, string schemaText, IReadOnlyList<SchemaReference>? references = null)
    {
        lock (_gate)
        {
            var schema = Parse(schemaText, references ?? []);
            var live = _subjects.TryGetValue(subject, out var all) ? all.Where(v => !v.Deleted).ToList() : [];
            if (live.Count == 0 && ParseVersion(version) is null)
            {
                return new CompatibilityResult(true, []);
            }

            var upTo = Find(subject, version, includeDeleted: false).Version;
            var level = _subjectLevels.GetValueOrDefault(subject, _globalLevel);
            return SchemaCompatibility.Check(level, schema, [.. live.Where(v => v.Version <= upTo).Select(v => _schemas[v.Id].Parsed)]);
        }
    }

    /// <summary>Soft delete (the versions stay readable with <c>deleted=true</c>), or permanent after a soft one. Returns the versions.</summary>
    public IReadOnlyList<int> DeleteSubject(string subject, bool permanent)
    {
        lock (_gate)
        {
            var versions = _subjects.TryGetValue(subject, out var all) ? all : throw SubjectNotFound(subject);
            if (!permanent && versions.All(v => v.Deleted))
            {
                throw new SchemaRegistryException(404, 40404, $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently");
            }

            if (permanent && versions.Any(v => !v.Deleted))
            {
                throw new SchemaRegistryException(404, 40405, $"Subject '{subject}' was not deleted first before being permanently deleted");
            }

            var deleted = versions.Select(v => v.Version).ToList();
            foreach (var version in versions.ToList())
            {
                Record(permanent ? new RegistryRecord.VersionRemoved(subject, version.Version) : Softly(subject, version));
            }

            return deleted;
        }
    }

    public int DeleteVersion(string subject, string version, bool permanent)
    {
        lock (_gate)
        {
            var found = Find(subject, version, includeDeleted: permanent);
            if (permanent && !found.Deleted)
            {
                throw new SchemaRegistryException(404, 40407, $"Subject '{subject}' Version {found.Version} was not deleted first before being permanently deleted");
            }

            Record(permanent ? new RegistryRecord.VersionRemoved(subject, found.Version) : Softly(subject, found));
            return found.Version;
        }
    }

    public CompatibilityLevel GetLevel(string? subject, bool defaultToGlobal)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                return _globalLevel;
            }

            if (_subjectLevels.TryGetValue(subject, out var level))
            {
                return level;
            }

            return defaultToGlobal
                ? _globalLevel
                : throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SubjectLevelNotConfigured, $"Subject '{subject}' does not have subject-level compatibility configured");
        }
    }

    public void SetLevel(string? subject, string wire)
    {
        if (!CompatibilityLevels.TryParse(wire, out var level))
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidCompatibilityLevel, $"Invalid compatibility level '{wire}'.");
        }

        lock (_gate)
        {
            Record(new RegistryRecord.Level(subject, level));
        }
    }

    /// <summary>Applies a record of the log: at startup, to rebuild the state a previous run left.</summary>
    public void Apply(RegistryRecord record)
    {
        lock (_gate)
        {
            switch (record)
            {
                case RegistryRecord.SchemaVersion v:
                    if (!_schemas.ContainsKey(v.Id))
                    {
                        var parsed = Parse(v.Schema, v.References);
                        _schemas[v.Id] = new StoredSchema(v.Schema, parsed, v.References);
                        _idsByIdentity.TryAdd(Identity(parsed, v.References), v.Id);
                    }

                    var versions = _subjects.TryGetValue(v.Subject, out var list) ? list : _subjects[v.Subject] = [];
                    versions.RemoveAll(x => x.Version == v.Version);
                    versions.Add(new SubjectVersion(v.Version, v.Id, v.Deleted));
                    versions.Sort((a, b) => a.Version.CompareTo(b.Version));
                    break;
                case RegistryRecord.VersionRemoved r when _subjects.TryGetValue(r.Subject, out var remaining):
                    remaining.RemoveAll(x => x.Version == r.Version);
                    if (remaining.Count == 0)
                    {
                        _subjects.Remove(r.Subject);
                    }

                    break;
                case RegistryRecord.Level { Subject: null } l:
                    _globalLevel = l.Compatibility;
                    break;
                case RegistryRecord.Level l:
                    _subjectLevels[l.Subject] = l.Compatibility;
                    break;
            }
        }
    }

    private void Record(RegistryRecord record)
    {
        Changed?.Invoke(record);
        Apply(record);
    }

    private RegistryRecord.SchemaVersion Softly(string subject, SubjectVersion version) =>
        new(subject, version.Version, version.Id, _schemas[version.Id].Text, _schemas[version.Id].References, Deleted: true);

    private StoredSchema StoredById(int id)
    {
        lock (_gate)
        {
            return _schemas.TryGetValue(id, out var stored)
                ? stored
                : throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SchemaNotFound, "Schema not found");
        }
    }

    private List<SubjectVersion> Versions(string subject, bool includeDeleted)
    {
        var versions = _subjects.TryGetValue(subject, out var all) ? all.Where(v => includeDeleted || !v.Deleted).ToList() : [];
        return versions.Count > 0 ? versions : throw SubjectNotFound(subject);
    }

    private SubjectVersion Find(string subject, string version, bool includeDeleted)
    {
        var versions = Versions(subject, includeDeleted);
        var number = ParseVersion(version);
        return (number is null ? versions[^1] : versions.FirstOrDefault(v => v.Version == number))
            ?? throw new SchemaRegistryException(404, SchemaRegistryException.Codes.VersionNotFound, $"Version {version} not found.");
    }

    private static SchemaRegistryException SubjectNotFound(string subject) =>
        new(404, SchemaRegistryException.Codes.SubjectNotFound, $"Subject '{subject}' not found.");

    /// <summary>A version number, or null for the latest ("latest" or "-1").</summary>
    private static int? ParseVersion(string version) =>
        version is "latest" or "-1" ? null
        : int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0 ? number
        : throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidVersion, $"The specified version '{version}' is not a valid version id.");

    /// <summary>Everything the schema says (docs, defaults, logical types), whitespace aside, and what it references.</summary>
    private static string Identity(Schema schema, IReadOnlyList<SchemaReference> references) =>
        schema + string.Concat(references.Select(r => $"|{r.Name}={r.Subject}/{r.Version}"));

    /// <summary>Parses a schema with the named types of its references (and theirs) known.</summary>
    private Schema Parse(string schemaText, IReadOnlyList<SchemaReference> references)
    {
        var names = new SchemaNames();
        foreach (var reference in references)
        {
            AddReferenced(reference, names, depth: 0);
        }

        try
        {
            return Schema.Parse(schemaText, names, null);
        }
        catch (Exception ex) when (ex is AvroException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, $"Invalid schema: {ex.Message}");
        }
    }

    private void AddReferenced(SchemaReference reference, SchemaNames names, int depth)
    {
        if (depth > 32)
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, "Invalid schema: references nest deeper than 32.");
        }

        var version = _subjects.TryGetValue(reference.Subject, out var versions) ? versions.FirstOrDefault(v => v.Version == reference.Version) : null;
        if (version is null)
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema,
                $"Invalid schema: reference '{reference.Name}' names subject '{reference.Subject}' version {reference.Version}, which is not registered.");
        }

        var stored = _schemas[version.Id];
        foreach (var nested in stored.References)
        {
            AddReferenced(nested, names, depth + 1);
        }

        if (stored.Parsed is NamedSchema named && !names.Contains(named.SchemaName))
        {
            names.Add(named);
        }
    }

    private sealed record StoredSchema(string Text, Schema Parsed, IReadOnlyList<SchemaReference> References);

    private sealed record SubjectVersion(int Version, int Id, bool Deleted);
}
