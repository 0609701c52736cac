using System.Reflection;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Refuses a key in <typeparamref name="TOptions"/>'s section that is none of its settings. The binder ignores such a
/// key, so a typo (<c>Streams:ProcesingGuarantee</c>) or a setting under the wrong section
/// (<c>Kafka:ProcessingGuarantee</c>) would leave the setting at its default without a word. Keys are matched
/// case-insensitively, as the binder matches them; the values under a dictionary setting (<c>Kafka:Properties</c>) are
/// not keys of the section and are checked where they are used.
/// </summary>
internal sealed class KnownSettingKeys<TOptions>(IConfiguration configuration, string section, IReadOnlyDictionary<string, Type> allSections) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <summary>The section's settings, in order: what a key may be, and what the hint lists.</summary>
    private static readonly string[] Settings = [.. SettingsOf(typeof(TOptions)).Order(StringComparer.Ordinal)];

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = configuration.GetSection(section).GetChildren()
            .Where(key => !Settings.Contains(key.Key, StringComparer.OrdinalIgnoreCase))
            .Select(key => $"{section}:{key.Key} is not a setting ({Hint(key.Key)})")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The setting meant: one a letter or two away in this section, else the same name in another, and the list.</summary>
    private string Hint(string unknown)
    {
        var near = Settings.Where(s => EditDistance(s.ToUpperInvariant(), unknown.ToUpperInvariant()) <= 2).ToList();
        if (near.Count == 1)
        {
            return $"did you mean {section}:{near[0]}?";
        }

        var elsewhere = allSections
            .Where(other => other.Key != section)
            .SelectMany(other => SettingsOf(other.Value).Where(s => s.Equals(unknown, StringComparison.OrdinalIgnoreCase)).Select(s => $"{other.Key}:{s} is; "));
        return $"{string.Concat(elsewhere)}{section} has {string.Join(", ", Settings)}";
    }

    private static IEnumerable<string> SettingsOf(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, each costing one.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}

/// <summary>Registers <see cref="KnownSettingKeys{TOptions}"/> for an options section.</summary>
internal static class KnownSettingKeysRegistration
{
    public static OptionsBuilder<TOptions> ValidateKnownKeys<TOptions>(this OptionsBuilder<TOptions> builder, string section, IReadOnlyDictionary<string, Type> allSections)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(provider => new KnownSettingKeys<TOptions>(provider.GetRequiredService<IConfiguration>(), section, allSections));
        return builder;
    }
}
