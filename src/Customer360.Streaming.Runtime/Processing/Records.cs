using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Where an event first entered the topology. Repartitioned records keep their origin in headers, so a replay of an
/// upstream task (which re-emits the same events at new repartition offsets) is still recognised downstream.
/// </summary>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset)
{
    /// <summary>Key of the origin partition in applied-offset maps.</summary>
    public string PartitionKey => $"{Topic}:{Partition.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}

/// <summary>Names of the headers the runtime writes and reads.</summary>
public static class RecordHeaders
{
    public const string OriginTopic = "c360.origin.topic";
    public const string OriginPartition = "c360.origin.partition";
    public const string OriginOffset = "c360.origin.offset";

    /// <summary>Deterministic id of an output: the same input always yields the same id, so consumers deduplicate on it.</summary>
    public const string OutputId = "c360.output.id";

    public const string DlqOriginTopic = "c360.dlq.origin.topic";
    public const string DlqOriginPartition = "c360.dlq.origin.partition";
    public const string DlqOriginOffset = "c360.dlq.origin.offset";
    public const string DlqOriginTimestamp = "c360.dlq.origin.timestamp";
    public const string DlqGroup = "c360.dlq.group";
    public const string DlqStage = "c360.dlq.stage";
    public const string DlqErrorClass = "c360.dlq.error.class";
    public const string DlqErrorMessage = "c360.dlq.error.message";

    /// <summary>On a dead letter whose value was cut to fit the producer's limit: the original length in bytes.</summary>
    public const string DlqValueTruncatedFrom = "c360.dlq.value.truncated-from";

    /// <summary>On a dead letter whose key was cut to fit the producer's limit: the original length in bytes.</summary>
    public const string DlqKeyTruncatedFrom = "c360.dlq.key.truncated-from";

    public static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    public static byte[] Number(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    public static string? Find(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name)
    {
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            if (headers[i].Key == name)
            {
                return Encoding.UTF8.GetString(headers[i].Value);
            }
        }

        return null;
    }
}

/// <summary>A consumed record as processors see it: raw bytes plus coordinates, timestamp and origin.</summary>
public sealed class StreamRecord
{
    private string? _key;

    public StreamRecord(string topic, int partition, long offset, long timestampMs, byte[]? keyBytes, byte[]? value, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        TimestampMs = timestampMs;
        KeyBytes = keyBytes;
        Value = value;
        Headers = headers ?? [];
        Origin = OriginFromHeaders(Headers) ?? new RecordOrigin(topic, partition, offset);
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

    private static RecordOrigin? OriginFromHeaders(IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        if (headers.Count == 0)
        {
            return null;
        }

        var topic = RecordHeaders.Find(headers, RecordHeaders.OriginTopic);
        var partition = RecordHeaders.Find(headers, RecordHeaders.OriginPartition);
        var offset = RecordHeaders.Find(headers, RecordHeaders.OriginOffset);
        return topic is not null
            && int.TryParse(partition, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)
            && long.TryParse(offset, NumberStyles.Integer, CultureInfo.InvariantCulture, out var o)
            ? new RecordOrigin(topic, p, o)
            : null;
    }
}

/// <summary>A record a task sends: to an output, a repartition topic, a changelog or the dead-letter topic.</summary>
/// <param name="Partition">Explicit partition (changelogs), or null to partition by key with murmur2.</param>
public sealed record OutgoingRecord(
    string Topic,
    byte[]? Key,
    byte[]? Value,
    long TimestampMs,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    int? Partition = null)
{
    public string? OutputId => RecordHeaders.Find(Headers, RecordHeaders.OutputId);
}

/// <summary>Deterministic output ids: a hash of who emitted, for which key, caused by which input.</summary>
public static class OutputIds
{
    public static string For(string emitter, string? key, RecordOrigin origin, int sequence) =>
        Hash($"{emitter}\n{key}\n{origin.Topic}\n{origin.Partition}\n{origin.Offset}\n{sequence}");

    public static string ForPunctuation(string emitter, string? key, string punctuation, int partition, long timeMs, int sequence) =>
        Hash($"{emitter}\n{key}\npunctuate:{punctuation}\n{partition}\n{timeMs}\n{sequence}");

    /// <summary>An output coalesced per commit (<see cref="IProcessor.Flush"/>): named by key and version, so a replay that coalesces differently emits the same id for the same version.</summary>
    public static string ForVersion(string emitter, string key, string version) =>
        Hash($"{emitter}\n{key}\nversion:{version}");

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}

/// <summary>The Java client's murmur2 partitioning (what librdkafka's murmur2_random does for non-null keys).</summary>
public static class Murmur2
{
    public static int Partition(ReadOnlySpan<byte> key, int partitions) => (Hash(key) & 0x7fffffff) % partitions;

    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = seed ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var tail = data[(blocks * 4)..];
        switch (tail.Length)
        {
            case 3:
                h ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                h ^= tail[0];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
