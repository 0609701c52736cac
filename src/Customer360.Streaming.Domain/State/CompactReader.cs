using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// Reads what <see cref="CompactWriter"/> wrote. Every length and count is checked against the bytes that remain, so
/// a corrupt or truncated value fails with <see cref="InvalidDataException"/> instead of allocating what it claims.
/// </summary>
internal ref struct CompactReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private List<string>? _strings;
    private long _timeBase;

    public readonly bool AtEnd => _position == _data.Length;

    public byte Byte() => _position < _data.Length ? _data[_position++] : throw Truncated();

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        _ => throw Corrupt("a boolean is neither 0 nor 1"),
    };

    public ulong UInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Corrupt("a varint is longer than 10 bytes");
    }

    public long Int()
    {
        var zigZag = UInt();
        return (long)(zigZag >> 1) ^ -(long)(zigZag & 1);
    }

    public int Int32() => Int() is var value && value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Corrupt($"{value} does not fit a 32-bit number");

    /// <summary>Reads the time base later <see cref="Time"/>s are relative to, and returns it.</summary>
    public long TimeBase() => _timeBase = Int();

    public long Time() => UInt() switch
    {
        CompactTags.Never => -1,
        CompactTags.Absolute => Int(),
        var relative => unchecked(_timeBase + UnZigZag(relative - CompactTags.FirstRelative)),
    };

    public string? String()
    {
        var tag = UInt();
        if (tag == CompactTags.Null)
        {
            return null;
        }

        if (tag == CompactTags.NewString)
        {
            var length = Length();
            var value = Encoding.UTF8.GetString(Take(length));
            (_strings ??= []).Add(value);
            return value;
        }

        var index = tag - CompactTags.FirstReference;
        return _strings is not null && index < (ulong)_strings.Count ? _strings[(int)index] : throw Corrupt("a string refers to one not yet read");
    }

    public string RequiredString() => String() ?? throw Corrupt("a required string is null");

    public Guid Guid() => new(Take(16));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public decimal Decimal()
    {
        var signAndScale = Byte();
        var low = UInt();
        var high = UInt();
        var scale = (byte)(signAndScale & 0x7F);
        return scale > 28 || high > uint.MaxValue
            ? throw Corrupt("a decimal is out of range")
            : new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)(uint)high, (signAndScale & 0x80) != 0, scale);
    }

    /// <summary>What <see cref="CompactWriter.TimesByName"/> wrote, in ordinal order; none is the shared empty map.</summary>
    public ImmutableSortedDictionary<string, long> TimesByName()
    {
        var count = Count();
        if (count == 0)
        {
            return OrdinalMap.Empty<long>();
        }

        var times = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        for (; count > 0; count--)
        {
            times[RequiredString()] = Time();
        }

        return times.ToImmutable();
    }

    /// <summary>A count of elements that each take at least one byte, so it cannot exceed what remains.</summary>
    public int Count() => Length();

    private int Length()
    {
        var length = UInt();
        return length <= (ulong)(_data.Length - _position) ? (int)length : throw Corrupt($"a length of {length} exceeds the {_data.Length - _position} bytes left");
    }

    private ReadOnlySpan<byte> Take(int bytes)
    {
        if (_data.Length - _position < bytes)
        {
            throw Truncated();
        }

        var span = _data.Slice(_position, bytes);
        _position += bytes;
        return span;
    }

    private static long UnZigZag(ulong zigZag) => (long)(zigZag >> 1) ^ -(long)(zigZag & 1);

    private readonly InvalidDataException Truncated() => new($"A stored state value ends early at byte {_position}.");

    private readonly InvalidDataException Corrupt(string what) => new($"A stored state value is corrupt at byte {_position}: {what}.");
}
