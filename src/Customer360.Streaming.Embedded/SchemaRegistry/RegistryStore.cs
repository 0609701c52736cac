using Avro;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// The embedded registry's state: global schema ids (one id per distinct schema, shared across subjects), subjects
/// with their versions, and compatibility levels. Thread-safe; the HTTP layer only translates.
/// </summary>
public sealed class RegistryStore(CompatibilityLevel defaultLevel = CompatibilityLevel.Backward)
{
    private readonly Lock _gate = new();
    private readonly List<(string Text, Schema Parsed)> _schemas = [];
    private readonly Dictionary<string, int> _idsByCanonicalForm = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompatibilityLevel> _subjectLevels = new(StringComparer.Ordinal);
    private CompatibilityLevel _globalLevel = defaultLevel;

    public int Register(string subject, string schemaText)
    {
        var schema = Parse(schemaText);
        lock (_gate)
        {
            var canonical = SchemaNormalization.ToParsingForm(schema);
            var versions = _subjects.GetValueOrDefault(subject) ?? [];
            if (_idsByCanonicalForm.TryGetValue(canonical, out var known) && versions.Contains(known))
            {
                return known;
            }

            var level = _subjectLevels.GetValueOrDefault(subject, _globalLevel);
            var result = SchemaCompatibility.Check(level, schema, versions.Select(id => _schemas[id - 1].Parsed).ToList());
            if (!result.IsCompatible)
            {
                throw new SchemaRegistryException(409, 409,
                    $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({CompatibilityLevels.ToWire(level)}): "
                    + string.Join("; ", result.Messages));
            }

            if (!_idsByCanonicalForm.TryGetValue(canonical, out var id))
            {
                _schemas.Add((schemaText, schema));
                id = _schemas.Count;
                _idsByCanonicalForm[canonical] = id;
            }

            versions.Add(id);
            _subjects[subject] = versions;
            return id;
        }
    }

    public RegisteredSchema Lookup(string subject, string schemaText)
    {
        var schema = Parse(schemaText);
        lock (_gate)
        {
            var versions = Versions(subject);
            if (_idsByCanonicalForm.TryGetValue(SchemaNormalization.ToParsingForm(schema), out var id) && versions.Contains(id))
            {
                return new RegisteredSchema(subject, id, versions.IndexOf(id) + 1, _schemas[id - 1].Text);
            }

            throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SchemaNotFound, "Schema not found");
        }
    }

    public string SchemaById(int id)
    {
        lock (_gate)
        {
            return id >= 1 && id <= _schemas.Count
                ? _schemas[id - 1].Text
                : throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SchemaNotFound, "Schema not found");
        }
    }

    public IReadOnlyList<string> Subjects()
    {
        lock (_gate)
        {
            return [.. _subjects.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<int> VersionNumbers(string subject)
    {
        lock (_gate)
        {
            return [.. Enumerable.Range(1, Versions(subject).Count)];
        }
    }

    /// <param name="version">A version number, or "latest" / "-1".</param>
    public RegisteredSchema Version(string subject, string version)
    {
        lock (_gate)
        {
            var versions = Versions(subject);
            var number = ParseVersion(version, versions.Count);
            if (number < 1 || number > versions.Count)
            {
                throw new SchemaRegistryException(404, SchemaRegistryException.Codes.VersionNotFound, "Version not found.");
            }

            var id = versions[number - 1];
            return new RegisteredSchema(subject, id, number, _schemas[id - 1].Text);
        }
    }

    public CompatibilityResult TestCompatibility(string subject, string version, string schemaText)
    {
        var schema = Parse(schemaText);
        lock (_gate)
        {
            var versions = Versions(subject);
            var number = ParseVersion(version, versions.Count);
            if (number < 1 || number > versions.Count)
            {
                throw new SchemaRegistryException(404, SchemaRegistryException.Codes.VersionNotFound, "Version not found.");
            }

            var level = _subjectLevels.GetValueOrDefault(subject, _globalLevel);
            var history = versions.Take(number).Select(id => _schemas[id - 1].Parsed).ToList();
            return SchemaCompatibility.Check(level, schema, history);
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
                : throw new SchemaRegistryException(404, 40408, $"Subject '{subject}' does not have subject-level compatibility configured");
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
            if (subject is null)
            {
                _globalLevel = level;
            }
            else
            {
                _subjectLevels[subject] = level;
            }
        }
    }

    private List<int> Versions(string subject) =>
        _subjects.TryGetValue(subject, out var versions)
            ? versions
            : throw new SchemaRegistryException(404, SchemaRegistryException.Codes.SubjectNotFound, $"Subject '{subject}' not found.");

    private static int ParseVersion(string version, int latest) =>
        version is "latest" or "-1" ? latest
        : int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number
        : throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidVersion, $"The specified version '{version}' is not a valid version id.");

    private static Schema Parse(string schemaText)
    {
        try
        {
            return Schema.Parse(schemaText);
        }
        catch (Exception ex) when (ex is AvroException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            throw new SchemaRegistryException(422, SchemaRegistryException.Codes.InvalidSchema, $"Invalid schema: {ex.Message}");
        }
    }
}
