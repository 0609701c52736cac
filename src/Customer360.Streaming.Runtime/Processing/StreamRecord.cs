using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A consumed record as processors see it: raw bytes plus coordinates, timestamp and origin.</summary>
public sealed class StreamRecord
{
    private string? _key;

    /// <param name="originTopics">
    /// Given when the record is on one of the topology's internal topics, whose origin header a task of ours wrote, and
    /// naming the topics that header may name. On an input topic such a header is anybody's (a producer copying headers
    /// along, say) and is ignored: believed, it would make the replay guard skip every later record of the partition it
    /// names.
    /// </param>
    public StreamRecord(
        string topic, int partition, long offset, long timestampMs, byte[]? keyBytes, byte[]? value, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null,
        OriginTopics? originTopics = null)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        TimestampMs = timestampMs;
        KeyBytes = keyBytes;
        Value = value;
        Headers = headers ?? [];
        Origin = (originTopics is not null ? OriginFromHeaders(Headers, originTopics) : null) ?? new RecordOrigin(topic, partition, offset);
    }

    public string Topic { get; }

    public int Partition { get; }

    public long Offset { get; }

    /// <summary>The record's timestamp (event time when producers set it, as ours do).</summary>
    public long TimestampMs { get; }

    /// <summary>The key exactly as it was on the wire (dead letters keep it unchanged).</summary>
    public byte[]? KeyBytes { get; }

    /// <summary>The key as UTF-8 text, the product's key convention.</summary>
    public string? Key => _key ??= KeyBytes is null ? null : Encoding.UTF8.GetString(KeyBytes);

    public byte[]? Value { get; }

    public IReadOnlyList<KeyValuePair<string, byte[]>> Headers { get; }

    public RecordOrigin Origin { get; }

    private static RecordOrigin? OriginFromHeaders(IReadOnlyList<KeyValuePair<string, byte[]>> headers, OriginTopics topics)
    {
        if (headers.Count == 0)
        {
            return null;
        }

        if (RecordHeaders.FindBytes(headers, RecordHeaders.Origin) is { } binary)
        {
            // A malformed one, or one naming a topic no origin is on, is ignored: the record is then its own origin,
            // and a replay of it is still caught.
            return RecordOrigin.FromHeader(binary, topics);
        }

        // Written before the binary header existed (a repartition topic's backlog across an upgrade).
        var topic = RecordHeaders.Find(headers, RecordHeaders.OriginTopic) is { } named ? topics.Find(named) : null;
        var partition = RecordHeaders.Find(headers, RecordHeaders.OriginPartition);
        var offset = RecordHeaders.Find(headers, RecordHeaders.OriginOffset);
        return topic is not null
            && int.TryParse(partition, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)
            && long.TryParse(offset, NumberStyles.Integer, CultureInfo.InvariantCulture, out var o)
            ? new RecordOrigin(topic, p, o)
            : null;
    }
}
