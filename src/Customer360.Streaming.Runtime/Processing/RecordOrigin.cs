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

    /// <summary>
    /// Partition keys kept at most: more than any topology's partitions, fewer than a header forged with a new
    /// partition number per record could otherwise add.
    /// </summary>
    private const int MaxCachedPartitionKeys = 65_536;

    /// <summary>Partition keys by topic and partition, so the applied-offset guards build no string per record.</summary>
    private static readonly ConcurrentDictionary<(string Topic, int Partition), string> PartitionKeys = new();

    /// <summary>Key of the origin partition in applied-offset maps.</summary>
    public string PartitionKey =>
        PartitionKeys.TryGetValue((Topic, Partition), out var key) ? key
        : PartitionKeys.Count < MaxCachedPartitionKeys ? PartitionKeys.GetOrAdd((Topic, Partition), KeyOf(Topic, Partition))
        : KeyOf(Topic, Partition);

    /// <summary>The value of the <see cref="RecordHeaders.Origin"/> header: binary, one header instead of three numbers as text.</summary>
    public byte[] ToHeader()
    {
        var value = new byte[FixedBytes + Encoding.UTF8.GetByteCount(Topic)];
        BinaryPrimitives.WriteInt32BigEndian(value, Partition);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(sizeof(int)), Offset);
        Encoding.UTF8.GetBytes(Topic, value.AsSpan(FixedBytes));
        return value;
    }

    /// <summary>The origin in a <see cref="RecordHeaders.Origin"/> header, or null when the value is not one on one of <paramref name="topics"/>.</summary>
    public static RecordOrigin? FromHeader(ReadOnlySpan<byte> value, OriginTopics topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (value.Length <= FixedBytes || value.Length > FixedBytes + MaxTopicBytes)
        {
            return null;
        }

        var partition = BinaryPrimitives.ReadInt32BigEndian(value);
        var offset = BinaryPrimitives.ReadInt64BigEndian(value[sizeof(int)..]);
        Span<char> name = stackalloc char[MaxTopicBytes];
        var length = Encoding.UTF8.GetChars(value[FixedBytes..], name);
        return partition >= 0 && offset >= 0 && topics.Find(name[..length]) is { } topic ? new RecordOrigin(topic, partition, offset) : null;
    }

    private static string KeyOf(string topic, int partition) => $"{topic}:{partition.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}
