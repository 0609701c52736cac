namespace Customer360.Streaming.Schemas.Registry;

/// <summary>A schema as registered under a subject.</summary>
public sealed record RegisteredSchema(string Subject, int Id, int Version, string Schema);

/// <summary>The answer to a compatibility check, with the registry's reasons when incompatible.</summary>
public sealed record CompatibilityResult(bool IsCompatible, IReadOnlyList<string> Messages);

/// <summary>Compatibility levels of the Confluent API.</summary>
public enum CompatibilityLevel
{
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// <summary>Wire names of <see cref="CompatibilityLevel"/> (BACKWARD_TRANSITIVE, …).</summary>
public static class CompatibilityLevels
{
    public static string ToWire(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    public static bool TryParse(string? wire, out CompatibilityLevel level)
    {
        level = CompatibilityLevel.Backward;
        foreach (var candidate in Enum.GetValues<CompatibilityLevel>())
        {
            if (string.Equals(ToWire(candidate), wire, StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }

        return false;
    }
}
