using System.Text.RegularExpressions;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>Ids of rules, segments and offers: what may appear in a file, a metric label and a Kafka header alike.</summary>
internal static partial class CatalogNames
{
    /// <summary>How an error names an entry of a catalog's list: <c>rules[2] 'cart-reminder'</c> (the name when it has one).</summary>
    public static string Entry(string list, int index, string? name) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{list}[{index}]") + (string.IsNullOrWhiteSpace(name) ? string.Empty : $" '{name}'");

    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex Pattern();
}
