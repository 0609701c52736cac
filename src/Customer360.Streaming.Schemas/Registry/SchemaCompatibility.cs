using Avro;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// Decides compatibility with Avro schema-resolution rules, as the registry does: BACKWARD means a reader on the new
/// schema resolves data written with the old one (new fields need defaults), FORWARD the reverse, FULL both.
/// Apache.Avro's own <c>Schema.CanRead</c> ignores enum symbols, so resolution is implemented here.
/// </summary>
public static class SchemaCompatibility
{
    /// <param name="previousOldestFirst">Earlier versions of the subject, oldest first.</param>
    public static CompatibilityResult Check(CompatibilityLevel level, Schema candidate, IReadOnlyList<Schema> previousOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previousOldestFirst);
        if (level == CompatibilityLevel.None || previousOldestFirst.Count == 0)
        {
            return new CompatibilityResult(true, []);
        }

        var transitive = level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;
        var against = transitive ? previousOldestFirst : [previousOldestFirst[^1]];
        var checkBackward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var checkForward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var messages = new List<string>();
        for (var i = 0; i < against.Count; i++)
        {
            var old = against[i];
            var version = transitive ? $"version {i + 1}" : "the latest version";
            if (checkBackward && !CanRead(candidate, old))
            {
                messages.Add($"BACKWARD: a reader on the new schema cannot read data written with {version} (a new field without a default, a removed enum symbol or a changed type)");
            }

            if (checkForward && !CanRead(old, candidate))
            {
                messages.Add($"FORWARD: a reader on {version} cannot read data written with the new schema (a removed field without a default, an added enum symbol or a changed type)");
            }
        }

        return new CompatibilityResult(messages.Count == 0, messages);
    }

    /// <summary>Whether data written with <paramref name="writer"/> can be read with <paramref name="reader"/>.</summary>
    public static bool CanRead(Schema reader, Schema writer) => CanRead(reader, writer, []);

    private static bool CanRead(Schema reader, Schema writer, HashSet<(string Reader, string Writer)> inProgress)
    {
        // Logical types do not take part in resolution: their underlying types do.
        if (reader is LogicalSchema readerLogical)
        {
            return CanRead(readerLogical.BaseSchema, writer, inProgress);
        }

        if (writer is LogicalSchema writerLogical)
        {
            return CanRead(reader, writerLogical.BaseSchema, inProgress);
        }

        if (writer is UnionSchema writerUnion)
        {
            return writerUnion.Schemas.All(branch => CanRead(reader, branch, inProgress));
        }

        if (reader is UnionSchema readerUnion)
        {
            return readerUnion.Schemas.Any(branch => CanRead(branch, writer, inProgress));
        }

        return (reader, writer) switch
        {
            (PrimitiveSchema r, PrimitiveSchema w) => r.Tag == w.Tag || Promotes(w.Tag, r.Tag),
            (RecordSchema r, RecordSchema w) => SameName(r, w) && RecordsResolve(r, w, inProgress),
            (EnumSchema r, EnumSchema w) => SameName(r, w) && (r.Default is not null || w.Symbols.All(r.Contains)),
            (FixedSchema r, FixedSchema w) => SameName(r, w) && r.Size == w.Size,
            (ArraySchema r, ArraySchema w) => CanRead(r.ItemSchema, w.ItemSchema, inProgress),
            (MapSchema r, MapSchema w) => CanRead(r.ValueSchema, w.ValueSchema, inProgress),
            _ => false,
        };
    }

    private static bool RecordsResolve(RecordSchema reader, RecordSchema writer, HashSet<(string Reader, string Writer)> inProgress)
    {
        // Recursive types: assume a pair being checked resolves, as any inconsistency shows elsewhere.
        if (!inProgress.Add((reader.Fullname, writer.Fullname)))
        {
            return true;
        }

        try
        {
            foreach (var field in reader.Fields)
            {
                var writerField = writer.Fields.FirstOrDefault(f => f.Name == field.Name || (field.Aliases?.Contains(f.Name) ?? false));
                if (writerField is null ? field.DefaultValue is null : !CanRead(field.Schema, writerField.Schema, inProgress))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            inProgress.Remove((reader.Fullname, writer.Fullname));
        }
    }

    /// <summary>The spec matches named types by unqualified name.</summary>
    private static bool SameName(NamedSchema reader, NamedSchema writer) =>
        reader.Name == writer.Name;

    private static bool Promotes(Schema.Type from, Schema.Type to) => (from, to) switch
    {
        (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Float, Schema.Type.Double) => true,
        (Schema.Type.String, Schema.Type.Bytes) or (Schema.Type.Bytes, Schema.Type.String) => true,
        _ => false,
    };
}
