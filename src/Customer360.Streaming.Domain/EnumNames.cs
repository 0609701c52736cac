using System.Collections.Concurrent;
using System.Text;

namespace Customer360.Streaming.Domain;

/// <summary>
/// Enum members as snake_case names (<c>AddToCart</c> → <c>add_to_cart</c>): how rules name event actions and
/// presence states, and, upper-cased, how Avro contracts spell their symbols. Computed once per member. Also the one
/// way text from outside (a file, a record) becomes a member: by its name only.
/// </summary>
public static class EnumNames
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    public static string SnakeCase(Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Names.GetOrAdd(value, static v =>
        {
            var pascal = v.ToString();
            var text = new StringBuilder(pascal.Length + 4);
            for (var i = 0; i < pascal.Length; i++)
            {
                if (i > 0 && char.IsUpper(pascal[i]))
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(pascal[i]));
            }

            return text.ToString();
        });
    }

    /// <summary>
    /// The member of <typeparamref name="T"/> named <paramref name="text"/>, ignoring case. Unlike
    /// <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> it takes no number ("2" would be the member of that
    /// value, defined or not) and no list ("push, sms" would be the two values or-ed, often another member).
    /// </summary>
    public static bool TryParseName<T>(string? text, out T value)
        where T : struct, Enum
    {
        if (!IsName(typeof(T), text))
        {
            value = default;
            return false;
        }

        value = Enum.Parse<T>(text!, ignoreCase: true);
        return true;
    }

    /// <summary>Whether <paramref name="text"/> names one member of <paramref name="enumType"/>, ignoring case (see <see cref="TryParseName"/>).</summary>
    public static bool IsName(Type enumType, string? text) =>
        text is not null && Enum.GetNames(enumType).Contains(text, StringComparer.OrdinalIgnoreCase);
}
