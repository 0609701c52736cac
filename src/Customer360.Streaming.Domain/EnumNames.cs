using System.Collections.Concurrent;
using System.Text;

namespace Customer360.Streaming.Domain;

/// <summary>
/// Enum members as snake_case names (<c>AddToCart</c> → <c>add_to_cart</c>): how rules name event actions and
/// presence states, and, upper-cased, how Avro contracts spell their symbols. Computed once per member.
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
}
