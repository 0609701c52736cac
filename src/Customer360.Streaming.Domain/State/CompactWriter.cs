using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// Writes the compact state encoding: varints, zig-zag for signed numbers, event times relative to a base time,
/// GUIDs as their 16 bytes, and each distinct string once (later uses refer back to it). Deterministic: the same
/// values in the same order give the same bytes.
/// </summary>
internal sealed class CompactWriter(int initialCapacity)
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _length;
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private long _timeBase;

    /// <summary>
    /// This thread's writer, emptied for the next value. Every changed context is encoded at each commit; a new
    /// writer each time grew a buffer and a string table from nothing, a tenth of a drain's allocations.
    /// </summary>
    public static CompactWriter Reused()
    {
        var writer = t_reused ??= new CompactWriter(1_024);
        writer._length = 0;
        writer._strings.Clear();
        writer._timeBase = 0;
        return writer;
    }

    [ThreadStatic]
    private static CompactWriter? t_reused;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void UInt(ulong value)
    {
        var span = Reserve(10);
        var written = 0;
        while (value >= 0x80)
        {
            span[written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[written++] = (byte)value;
        _length -= 10 - written;
    }

    public void Int(long value) => UInt(ZigZag(value));

    /// <summary>Later <see cref="Time"/>s are written as differences from <paramref name="baseMs"/>, which is written here.</summary>
    public void TimeBase(long baseMs)
    {
        _timeBase = baseMs;
        Int(baseMs);
    }

    /// <summary>An epoch-millisecond time: −1 ("never") in one byte, others as a difference from the time base.</summary>
    public void Time(long ms)
    {
        if (ms == -1)
        {
            UInt(CompactTags.Never);
            return;
        }

        var zigZag = ZigZag(unchecked(ms - _timeBase));
        if (zigZag <= ulong.MaxValue - CompactTags.FirstRelative)
        {
            UInt(zigZag + CompactTags.FirstRelative);
        }
        else
        {
            UInt(CompactTags.Absolute);
            Int(ms);
        }
    }

    public void String(string? value)
    {
        if (value is null)
        {
            UInt(CompactTags.Null);
            return;
        }

        if (_strings.TryGetValue(value, out var index))
        {
            UInt(CompactTags.FirstReference + (ulong)index);
            return;
        }

        _strings[value] = _strings.Count;
        UInt(CompactTags.NewString);
        var length = Encoding.UTF8.GetByteCount(value);
        UInt((ulong)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    public void Guid(Guid value) => value.TryWriteBytes(Reserve(16));

    public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>Exact: sign, scale and the 96-bit integer, so 1.0 and 1.00 stay distinct as they are in JSON.</summary>
    public void Decimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        Byte((byte)(((bits[3] >> 16) & 0x7F) | ((bits[3] & int.MinValue) != 0 ? 0x80 : 0)));
        UInt((uint)bits[0] | ((ulong)(uint)bits[1] << 32));
        UInt((uint)bits[2]);
    }

    public void Count(int count) => UInt((ulong)count);

    /// <summary>Names with a time each (segments entered, rules last sent): a count, then each name and its time.</summary>
    public void TimesByName(ImmutableSortedDictionary<string, long> times)
    {
        Count(times.Count);
        foreach (var (name, ms) in times)
        {
            String(name);
            Time(ms);
        }
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }

        var span = _buffer.AsSpan(_length, bytes);
        _length += bytes;
        return span;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}

/// <summary>The tags of strings and times in the compact encoding, shared by writer and reader.</summary>
internal static class CompactTags
{
    public const ulong Null = 0;
    public const ulong NewString = 1;
    public const ulong FirstReference = 2;

    public const ulong Never = 0;
    public const ulong Absolute = 1;
    public const ulong FirstRelative = 2;
}
