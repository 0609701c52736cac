using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Pipeline;

/// <summary>What a record on a repartition topic carries, named by its <see cref="InternalRecords.KindHeader"/>.</summary>
public enum InternalKind
{
    /// <summary>A channel event, re-keyed by customer; the value is the original record's bytes.</summary>
    Event,

    /// <summary>An identifier was linked to the customer; the value is the anonymous context to merge (or empty).</summary>
    Link,

    /// <summary>An identifier was unlinked from the customer.</summary>
    Unlink,

    /// <summary>To the identity task: forget the (hashed) customer in the value for this identifier (erasure).</summary>
    Forget,
}

/// <summary>Headers of internal records.</summary>
public static class InternalRecords
{
    public const string KindHeader = "c360.kind";
    public const string IdentifierHeader = "c360.identifier";

    /// <summary>The kind header's value per kind, made once: every routed event carries one.</summary>
    private static readonly byte[][] KindValues = [.. Enum.GetValues<InternalKind>().Select(k => RecordHeaders.Text(k.ToString()))];

    private static readonly IReadOnlyList<KeyValuePair<string, byte[]>> EventOnly = [KindHeaderOf(InternalKind.Event)];

    public static IReadOnlyList<KeyValuePair<string, byte[]>> Headers(InternalKind kind, string? identifier = null) =>
        identifier is null ? [KindHeaderOf(kind)] : [KindHeaderOf(kind), KeyValuePair.Create(IdentifierHeader, RecordHeaders.Text(identifier))];

    /// <summary>
    /// The headers of a routed channel event: its kind, then the input record's own headers, so that a dead letter of
    /// it downstream is still the original record with its headers. Headers named <c>c360.*</c> are ours and are not
    /// carried: an input record cannot pose as an internal one. Without headers of its own, nothing is allocated.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> RoutedEvent(IReadOnlyList<KeyValuePair<string, byte[]>> inputHeaders)
    {
        ArgumentNullException.ThrowIfNull(inputHeaders);
        if (inputHeaders.Count == 0)
        {
            return EventOnly;
        }

        var all = new List<KeyValuePair<string, byte[]>>(inputHeaders.Count + 1) { EventOnly[0] };
        for (var i = 0; i < inputHeaders.Count; i++)
        {
            if (!inputHeaders[i].Key.StartsWith(OwnPrefix, StringComparison.Ordinal))
            {
                all.Add(inputHeaders[i]);
            }
        }

        return all;
    }

    /// <summary>The record's kind, read from its kind header without building a string.</summary>
    public static InternalKind KindOf(StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (RecordHeaders.FindBytes(record.Headers, KindHeader) is { } value)
        {
            for (var kind = 0; kind < KindValues.Length; kind++)
            {
                if (value.AsSpan().SequenceEqual(KindValues[kind]))
                {
                    return (InternalKind)kind;
                }
            }
        }

        throw new PoisonRecordException($"Internal record without a valid {KindHeader} header.");
    }

    public static string IdentifierOf(StreamRecord record) =>
        RecordHeaders.Find(record.Headers, IdentifierHeader) ?? throw new PoisonRecordException($"Internal record without a {IdentifierHeader} header.");

    private const string OwnPrefix = "c360.";

    private static KeyValuePair<string, byte[]> KindHeaderOf(InternalKind kind) => KeyValuePair.Create(KindHeader, KindValues[(int)kind]);
}
