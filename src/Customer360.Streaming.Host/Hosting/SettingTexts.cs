using System.ComponentModel;
using System.Reflection;
using Customer360.Streaming.Domain;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Whether each setting of a section was written as something its type takes, read from the configuration's text
/// before the binder sees it. The binder throws at the first value it cannot convert, with a message that names the key
/// but not what it takes, and it reads a number (<c>2</c>) or a list (<c>Fail, DeadLetter</c>) as a member of a setting
/// with named values; here every setting is judged, and the message says what it takes.
/// </summary>
internal static class SettingTexts
{
    /// <summary>One line per setting of <paramref name="optionsType"/> in <paramref name="section"/> whose text its type does not take.</summary>
    public static List<string> Unreadable(IConfiguration configuration, string section, Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(optionsType);
        var failures = new List<string>();
        var written = configuration.GetSection(section);
        if (written.Value is { } own)
        {
            // "Streams": 5 in appsettings.json: the binder would drop it and leave every setting at its default.
            failures.Add($"{section} must hold settings under it ({section}:<name>), not a value of its own (was '{own}')");
        }

        foreach (var property in optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var key = $"{section}:{property.Name}";
            var entry = written.GetSection(property.Name);
            if (IsSingleValue(type) && entry.GetChildren().Any())
            {
                // A list or an object where one value belongs ("Threads": [1, 2]): the binder would drop it without a word
                // and keep the value of an earlier source, or the default.
                failures.Add($"{key} {MustBe(type)}, not a list or an object");
                continue;
            }

            if (entry.Value is not { } text)
            {
                failures.AddRange(IsTextMap(type)
                    ? entry.GetChildren().Where(e => e.GetChildren().Any()).Select(e => $"{key}:{e.Key} must be a single value, not a list or an object")
                    : []);
                continue;
            }

            // Text takes anything; a section's keys are checked where they are used (Kafka:Properties, by librdkafka).
            if (type != typeof(string) && Takes(type, text, key) is { } takes)
            {
                failures.Add($"{key} {takes} (was '{text}')");
            }
        }

        return failures;
    }

    private static bool IsSingleValue(Type type) => type == typeof(string) || type.IsEnum || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static bool IsTextMap(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[1] == typeof(string);

    /// <summary>What <paramref name="key"/>'s <paramref name="type"/> takes ("must be …"), when <paramref name="text"/> is not that; null when it is.</summary>
    private static string? Takes(Type type, string text, string key)
    {
        if (type.IsEnum)
        {
            return EnumNames.IsName(type, text) ? null : MustBe(type);
        }

        var converter = TypeDescriptor.GetConverter(type);
        if (!converter.CanConvertFrom(typeof(string)))
        {
            // The binder would drop the text without a word and bind the settings under the key.
            return $"must hold settings under it ({key}:<name>), not a value of its own";
        }

        return Converts(converter, text) ? null : MustBe(type);
    }

    private static string MustBe(Type type) =>
        type.IsEnum ? $"must be one of {string.Join(", ", Enum.GetNames(type))}"
        : type == typeof(bool) ? "must be true or false"
        : type == typeof(int) || type == typeof(long) ? "must be a whole number"
        : type == typeof(double) ? "must be a number"
        : type == typeof(string) ? "must be a single value"
        : $"must be a {type.Name}";

    /// <summary>Whether the binder would convert <paramref name="text"/>: it asks the type's converter, as here.</summary>
    private static bool Converts(TypeConverter converter, string text)
    {
        try
        {
            return converter.ConvertFromInvariantString(text) is not null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }
}
