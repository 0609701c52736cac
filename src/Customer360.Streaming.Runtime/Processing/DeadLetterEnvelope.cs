using System.Globalization;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What a dead letter says about itself, read back from the headers <see cref="DeadLetterRecord"/> wrote: where the
/// original record entered the topology, where it failed and why, whether it is whole, and the headers it came with.
/// Tools that count or replay dead letters read it; nothing in the worker does.
/// </summary>
/// <param name="Origin">The input record the dead letter stems from.</param>
/// <param name="OriginTimestampMs">That record's Kafka timestamp.</param>
/// <param name="ViaTopic">The repartition topic that carried it to the failing task; null when the input record itself failed.</param>
/// <param name="Stage">Where it failed: <c>deserialize</c>, <c>validate</c> or <c>process</c>.</param>
/// <param name="ErrorClass">The kind of failure, such as <c>InvalidValue</c>.</param>
/// <param name="Truncated">Its key or value was cut to fit the dead-letter size limit: the original is not all there.</param>
/// <param name="OriginalHeaders">The record's headers without any of ours (every <c>c360.</c> header is the processor's).</param>
public sealed record DeadLetterEnvelope(
    RecordOrigin Origin,
    long OriginTimestampMs,
    string? ViaTopic,
    string Stage,
    string ErrorClass,
    bool Truncated,
    IReadOnlyList<KeyValuePair<string, byte[]>> OriginalHeaders)
{
    /// <summary>Headers under this prefix are the processor's own, never an input's to keep.</summary>
    public const string OwnHeaderPrefix = "c360.";

    /// <summary>The envelope of a record as the consumer hands it over (see <see cref="Read(IReadOnlyList{KeyValuePair{string, byte[]}})"/>).</summary>
    public static DeadLetterEnvelope? Read(Headers? headers) => Read(ConsumedRecord.HeadersOf(headers));

    /// <summary>The envelope, or null when the headers lack a readable origin (a record somebody else put on the topic).</summary>
    public static DeadLetterEnvelope? Read(IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (RecordHeaders.Find(headers, RecordHeaders.DlqOriginTopic) is not { Length: > 0 } topic
            || !TryNumber(headers, RecordHeaders.DlqOriginPartition, out var partition)
            || partition is < 0 or > int.MaxValue
            || !TryNumber(headers, RecordHeaders.DlqOriginOffset, out var offset))
        {
            return null;
        }

        var original = new List<KeyValuePair<string, byte[]>>(headers.Count);
        foreach (var header in headers)
        {
            if (!header.Key.StartsWith(OwnHeaderPrefix, StringComparison.Ordinal))
            {
                original.Add(header);
            }
        }

        return new DeadLetterEnvelope(
            new RecordOrigin(topic, (int)partition, offset),
            TryNumber(headers, RecordHeaders.DlqOriginTimestamp, out var timestamp) ? timestamp : 0,
            RecordHeaders.Find(headers, RecordHeaders.DlqViaTopic),
            RecordHeaders.Find(headers, RecordHeaders.DlqStage) ?? "unknown",
            RecordHeaders.Find(headers, RecordHeaders.DlqErrorClass) ?? "unknown",
            RecordHeaders.FindBytes(headers, RecordHeaders.DlqValueTruncatedFrom) is not null || RecordHeaders.FindBytes(headers, RecordHeaders.DlqKeyTruncatedFrom) is not null,
            original);
    }

    private static bool TryNumber(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name, out long value)
    {
        value = 0;
        return RecordHeaders.Find(headers, name) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
