using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// A stored value with the last origin offset applied per origin partition. The value is held as bytes, as an object
/// with the encoder that makes its bytes when they are needed (at commit), or both once either was derived.
/// </summary>
internal sealed class StoreEntry(byte[] value, Dictionary<string, long> applied)
{
    private const byte FormatVersion = 1;

    private byte[]? _value = value;
    private object? _decoded;
    private IStateEncoder? _encoder;

    /// <summary>The encoded value; encodes a value put as an object, once.</summary>
    public byte[] Value
    {
        get => _value ??= _encoder!.Encode(_decoded!);
        set
        {
            _value = value;
            _decoded = null;
            _encoder = null;
        }
    }

    /// <summary>The value as an object of <typeparamref name="T"/>, decoded from the bytes at most once while unchanged.</summary>
    public T Decoded<T>(StateSerde<T> serde)
        where T : class
    {
        if (_decoded is T decoded)
        {
            return decoded;
        }

        var value = serde.Decode(Value);
        _decoded = value;
        _encoder = serde;
        return value;
    }

    /// <summary>Replaces the value with an object whose bytes are made when first needed.</summary>
    public void SetDecoded(object value, IStateEncoder encoder)
    {
        _decoded = value;
        _encoder = encoder;
        _value = null;
    }

    public Dictionary<string, long> Applied { get; } = applied;

    /// <summary>Records that the input at <paramref name="origin"/> (if any) was applied to this entry.</summary>
    public void MarkApplied(Processing.RecordOrigin? origin)
    {
        if (origin is { } applied)
        {
            Applied[applied.PartitionKey] = applied.Offset;
        }
    }

    /// <summary>Whether the input at <paramref name="origin"/> was applied to this entry already (a replay).</summary>
    public bool HasApplied(Processing.RecordOrigin? origin) =>
        origin is { } current && Applied.TryGetValue(current.PartitionKey, out var applied) && current.Offset <= applied;

    /// <summary>Changelog value: version, applied offsets (by origin partition, ordinal order), then the value bytes.</summary>
    public byte[] Encode()
    {
        // A value held as an object is encoded without keeping the bytes: the object stays the value (what processors
        // and the commit observers read), and bytes cached beside it survived every collection until the next change.
        var value = _value ?? _encoder!.Encode(_decoded!);
        var size = 1 + 4 + value.Length;
        foreach (var (partition, _) in Applied)
        {
            size += 2 + Encoding.UTF8.GetByteCount(partition) + 8;
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], Applied.Count);
        var position = 5;
        var ordered = ArrayPool<KeyValuePair<string, long>>.Shared.Rent(Applied.Count);
        try
        {
            ((ICollection<KeyValuePair<string, long>>)Applied).CopyTo(ordered, 0);
            Array.Sort(ordered, 0, Applied.Count, ByPartition.Instance);
            for (var i = 0; i < Applied.Count; i++)
            {
                var (partition, offset) = ordered[i];
                var length = Encoding.UTF8.GetBytes(partition, span[(position + 2)..]);
                BinaryPrimitives.WriteUInt16BigEndian(span[position..], (ushort)length);
                position += 2 + length;
                BinaryPrimitives.WriteInt64BigEndian(span[position..], offset);
                position += 8;
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, long>>.Shared.Return(ordered, clearArray: true);
        }

        value.CopyTo(span[position..]);
        return buffer;
    }

    /// <summary>Orders applied offsets by origin partition, so the same entry always encodes to the same bytes.</summary>
    private sealed class ByPartition : IComparer<KeyValuePair<string, long>>
    {
        public static readonly ByPartition Instance = new();

        public int Compare(KeyValuePair<string, long> x, KeyValuePair<string, long> y) => string.CompareOrdinal(x.Key, y.Key);
    }

    /// <summary>Decodes a changelog value this runtime wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a value (<see cref="Malformed"/> says why).</exception>
    public static StoreEntry Decode(ReadOnlySpan<byte> data)
    {
        if (Read(data, collect: true, out var applied, out var valueStart) is { } problem)
        {
            throw new InvalidDataException($"Changelog entry {problem}.");
        }

        return new StoreEntry(data[valueStart..].ToArray(), applied!);
    }

    /// <summary>
    /// Why <paramref name="data"/> is not a changelog value this runtime wrote, or null when it is one: restore checks
    /// every record before it enters a store, since a changelog is a topic any producer can write to.
    /// </summary>
    public static string? Malformed(ReadOnlySpan<byte> data) => Read(data, collect: false, out _, out _);

    /// <summary>Reads the header and applied offsets (kept only when <paramref name="collect"/>), bounded by the data's length; a problem or null.</summary>
    private static string? Read(ReadOnlySpan<byte> data, bool collect, out Dictionary<string, long>? applied, out int valueStart)
    {
        (applied, valueStart) = (null, 0);
        if (data.Length < 5)
        {
            return $"has {data.Length} bytes, fewer than its 5-byte header";
        }

        if (data[0] != FormatVersion)
        {
            return $"has format {data[0]}, not {FormatVersion}";
        }

        // Each applied offset takes at least 10 bytes, so a count beyond what the data can hold is refused before
        // anything is allocated for it.
        var count = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        if (count < 0 || count > (data.Length - 5) / 10)
        {
            return $"claims {count} applied offsets in {data.Length} bytes";
        }

        applied = collect ? new Dictionary<string, long>(count, StringComparer.Ordinal) : null;
        var position = 5;
        for (var i = 0; i < count; i++)
        {
            var length = position + 2 <= data.Length ? BinaryPrimitives.ReadUInt16BigEndian(data[position..]) : int.MaxValue;
            if ((long)position + 2 + length + 8 > data.Length)
            {
                return $"is cut short in applied offset {i + 1} of {count}";
            }

            if (applied is not null)
            {
                applied[Encoding.UTF8.GetString(data.Slice(position + 2, length))] = BinaryPrimitives.ReadInt64BigEndian(data[(position + 2 + length)..]);
            }

            position += 2 + length + 8;
        }

        valueStart = position;
        return null;
    }
}
