using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Where an event first entered the topology. Repartitioned records keep their origin in a header, so a replay of an
/// upstream task (which re-emits the same events at new repartition offsets) is still recognised downstream.
/// </summary>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset)
{
    /// <summary>Partition and offset, big-endian, ahead of the topic's UTF-8 name in <see cref="RecordHeaders.Origin"/>.</summary>
    private const int FixedBytes = sizeof(int) + sizeof(long);

    /// <summary>Kafka caps topic names at 249 characters: a name longer than this in a header is not one.</summary>
    private const int MaxTopicBytes = 249;

    /// <summary>Topic names met in headers, so reading an origin does not allocate the same few names per record.</summary>
    private static readonly ConcurrentDictionary<string, string> KnownTopics = new(StringComparer.Ordinal);

    /// <summary>Partition keys by topic and partition, so the applied-offset guards build no string per record.</summary>
    private static readonly ConcurrentDictionary<(string Topic, int Partition), string> PartitionKeys = new();

    /// <summary>Key of the origin partition in applied-offset maps.</summary>
    public string PartitionKey => PartitionKeys.GetOrAdd((Topic, Partition), static p => $"{p.Topic}:{p.Partition.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The value of the <see cref="RecordHeaders.Origin"/> header: binary, one header instead of three numbers as text.</summary>
    public byte[] ToHeader()
    {
        var value = new byte[FixedBytes + Encoding.UTF8.GetByteCount(Topic)];
        BinaryPrimitives.WriteInt32BigEndian(value, Partition);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(sizeof(int)), Offset);
        Encoding.UTF8.GetBytes(Topic, value.AsSpan(FixedBytes));
        return value;
    }

    /// <summary>The origin in a <see cref="RecordHeaders.Origin"/> header, or null when the value is not one.</summary>
    public static RecordOrigin? FromHeader(ReadOnlySpan<byte> value)
    {
        if (value.Length <= FixedBytes || value.Length > FixedBytes + MaxTopicBytes)
        {
            return null;
        }

        var partition = BinaryPrimitives.ReadInt32BigEndian(value);
        var offset = BinaryPrimitives.ReadInt64BigEndian(value[sizeof(int)..]);
        Span<char> name = stackalloc char[MaxTopicBytes];
        var length = Encoding.UTF8.GetChars(value[FixedBytes..], name);
        var lookup = KnownTopics.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(name[..length], out var topic))
        {
            topic = new string(name[..length]);
            KnownTopics.TryAdd(topic, topic);
        }

        return partition >= 0 && offset >= 0 ? new RecordOrigin(topic, partition, offset) : null;
    }

    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}
