using Avro;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// Decides compatibility with Avro schema-resolution rules, as the registry does: BACKWARD means a reader on the new
/// schema resolves data written with the old one (new fields need defaults), FORWARD the reverse, FULL both.
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
            if (checkBackward && !candidate.CanRead(old))
            {
                messages.Add($"BACKWARD: a reader on the new schema cannot read data written with {version} (a new field without a default, a removed enum symbol or a changed type)");
            }

            if (checkForward && !old.CanRead(candidate))
            {
                messages.Add($"FORWARD: a reader on {version} cannot read data written with the new schema (a removed field without a default, an added enum symbol or a changed type)");
            }
        }

        return new CompatibilityResult(messages.Count == 0, messages);
    }
}
