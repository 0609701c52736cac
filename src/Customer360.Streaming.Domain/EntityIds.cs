using System.Buffers;

namespace Customer360.Streaming.Domain;

/// <summary>
/// What an id may look like (customer ids, identifiers, store, zone and trigger ids). Ids become Kafka keys, Redis
/// keys with the id as their one hash tag (<c>c360:{id}:context</c>), log fields and URL segments, so braces, which
/// would open a second hash tag or close the first, and control characters (ESC, CR, LF…) are refused at the edge.
/// </summary>
public static class EntityIds
{
    public const int MaxLength = 256;

    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "{}\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"
        + "\u007f\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f\u2028\u2029");

    /// <summary>Why <paramref name="id"/> is not a valid id (a phrase without the value), or null when it is.</summary>
    public static string? Problem(string? id) => id switch
    {
        null => "is missing",
        _ when string.IsNullOrWhiteSpace(id) => "is blank",
        { Length: > MaxLength } => $"is longer than {MaxLength} characters",
        _ when id.AsSpan().IndexOfAny(Forbidden) >= 0 => "contains a brace or a control character",
        _ => null,
    };

    public static bool IsValid(string? id) => Problem(id) is null;
}
