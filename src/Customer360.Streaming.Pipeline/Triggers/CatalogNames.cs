using System.Text.RegularExpressions;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>Ids of rules, segments and offers: what may appear in a file, a metric label and a Kafka header alike.</summary>
internal static partial class CatalogNames
{
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex Pattern();
}
