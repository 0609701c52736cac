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

    public static IReadOnlyList<KeyValuePair<string, byte[]>> Headers(InternalKind kind, string? identifier = null)
    {
        var kindHeader = KeyValuePair.Create(KindHeader, RecordHeaders.Text(kind.ToString()));
        return identifier is null ? [kindHeader] : [kindHeader, KeyValuePair.Create(IdentifierHeader, RecordHeaders.Text(identifier))];
    }

    public static InternalKind KindOf(StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Enum.TryParse<InternalKind>(RecordHeaders.Find(record.Headers, KindHeader), out var kind)
            ? kind
            : throw new PoisonRecordException($"Internal record without a valid {KindHeader} header.");
    }

    public static string IdentifierOf(StreamRecord record) =>
        RecordHeaders.Find(record.Headers, IdentifierHeader) ?? throw new PoisonRecordException($"Internal record without a {IdentifierHeader} header.");
}
