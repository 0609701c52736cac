using System.Text.RegularExpressions;
using Avro;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// The Avro contracts in <c>schemas/</c>: one folder per contract, one file per version (<c>v1.avsc</c>, <c>v2.avsc</c>…).
/// Loading lints them as a whole: valid Avro, a <c>customer360.*</c> namespace, a doc on every field, <c>eventId</c>
/// and <c>eventTime</c> on every record, and each version BACKWARD compatible with the one before.
/// </summary>
public sealed partial class SchemaCatalog
{
    private readonly Dictionary<string, IReadOnlyList<ContractSchema>> _versions;

    private SchemaCatalog(Dictionary<string, IReadOnlyList<ContractSchema>> versions) => _versions = versions;

    public IReadOnlyCollection<string> Names => _versions.Keys;

    /// <summary>Every version of a contract, oldest first.</summary>
    public IReadOnlyList<ContractSchema> Versions(string name) =>
        _versions.TryGetValue(name, out var versions) ? versions : throw new KeyNotFoundException($"No contract '{name}' in schemas/.");

    public ContractSchema Latest(string name) => Versions(name)[^1];

    public static SchemaCatalog Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Schema folder '{directory}' does not exist.");
        }

        var errors = new List<string>();
        var versions = new Dictionary<string, IReadOnlyList<ContractSchema>>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(folder);
            var files = Directory.GetFiles(folder, "*.avsc")
                .Select(f => (File: f, Match: VersionFile().Match(System.IO.Path.GetFileName(f))))
                .ToList();
            foreach (var stray in files.Where(f => !f.Match.Success))
            {
                errors.Add($"{name}/{System.IO.Path.GetFileName(stray.File)}: name it vN.avsc");
            }

            var ordered = files.Where(f => f.Match.Success)
                .Select(f => (f.File, Version: int.Parse(f.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
                .OrderBy(f => f.Version)
                .ToList();
            var contract = new List<ContractSchema>();
            for (var i = 0; i < ordered.Count; i++)
            {
                var (file, version) = ordered[i];
                var where = $"{name}/v{version}.avsc";
                if (version != i + 1)
                {
                    errors.Add($"{where}: versions must be numbered 1, 2, 3… without gaps");
                }

                var text = File.ReadAllText(file);
                if (string.IsNullOrWhiteSpace(text))
                {
                    // Avro's parser throws ArgumentNullException for it, which no user should meet.
                    errors.Add($"{where}: is empty");
                    continue;
                }

                RecordSchema schema;
                try
                {
                    schema = Schema.Parse(text) as RecordSchema
                        ?? throw new SchemaParseException("the top level must be a record");
                }
                catch (Exception ex) when (ex is AvroException or Newtonsoft.Json.JsonException)
                {
                    errors.Add($"{where}: not a valid Avro schema: {ex.Message}");
                    continue;
                }

                errors.AddRange(Lint(schema).Select(problem => $"{where}: {problem}"));
                if (contract.Count > 0)
                {
                    var compatibility = SchemaCompatibility.Check(CompatibilityLevel.Backward, schema, [contract[^1].Schema]);
                    errors.AddRange(compatibility.Messages.Select(m => $"{where}: not compatible with v{contract[^1].Version}: {m}"));
                }

                contract.Add(new ContractSchema(name, version, schema, file));
            }

            if (files.Count == 0)
            {
                errors.Add($"{name}: no vN.avsc file");
            }
            else if (contract.Count > 0)
            {
                versions[name] = contract;
            }
        }

        return errors.Count == 0
            ? new SchemaCatalog(versions)
            : throw new InvalidDataException($"{directory} has invalid contracts:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", errors));
    }

    private static IEnumerable<string> Lint(RecordSchema schema)
    {
        if (schema.Namespace is null || !schema.Namespace.StartsWith("customer360.", StringComparison.Ordinal))
        {
            yield return $"namespace '{schema.Namespace}' must start with customer360.";
        }

        if (string.IsNullOrWhiteSpace(schema.Documentation))
        {
            yield return $"record {schema.Name} has no doc";
        }

        foreach (var required in new[] { "eventId", "eventTime" })
        {
            if (!schema.Contains(required))
            {
                yield return $"record {schema.Name} has no '{required}' field (every event carries its id and event time)";
            }
        }

        foreach (var problem in UndocumentedFields(schema, schema.Name, []))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> UndocumentedFields(Schema schema, string path, HashSet<string> visited)
    {
        switch (schema)
        {
            case RecordSchema record when visited.Add(record.Fullname):
                foreach (var field in record.Fields)
                {
                    if (string.IsNullOrWhiteSpace(field.Documentation))
                    {
                        yield return $"field {path}.{field.Name} has no doc";
                    }

                    foreach (var nested in UndocumentedFields(field.Schema, $"{path}.{field.Name}", visited))
                    {
                        yield return nested;
                    }
                }

                break;
            case UnionSchema union:
                foreach (var branch in union.Schemas.SelectMany(s => UndocumentedFields(s, path, visited)))
                {
                    yield return branch;
                }

                break;
            case ArraySchema array:
                foreach (var item in UndocumentedFields(array.ItemSchema, path + "[]", visited))
                {
                    yield return item;
                }

                break;
            case MapSchema map:
                foreach (var value in UndocumentedFields(map.ValueSchema, path + "{}", visited))
                {
                    yield return value;
                }

                break;
        }
    }

    [GeneratedRegex(@"^v(\d+)\.avsc$")]
    private static partial Regex VersionFile();
}
