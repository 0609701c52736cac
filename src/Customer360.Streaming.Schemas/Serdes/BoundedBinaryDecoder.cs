using System.Buffers.Binary;
using System.Text;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// An Avro binary decoder over one in-memory payload that never trusts a declared length: a string, bytes or
/// block count larger than what is left of the payload fails before anything is allocated. Apache.Avro's stream
/// decoder would allocate the declared length first, so a 10-byte record claiming a 2 GiB string could take the
/// process down.
/// </summary>
internal sealed class BoundedBinaryDecoder : Avro.IO.Decoder
{
    private const int MaxVarIntBytes = 10;
    private ReadOnlyMemory<byte> _payload;
    private int _position;

    public BoundedBinaryDecoder(ReadOnlyMemory<byte> payload) => Reset(payload);

    public int Remaining => _payload.Length - _position;

    public void Reset(ReadOnlyMemory<byte> payload)
    {
        _payload = payload;
        _position = 0;
    }

    public void ReadNull()
    {
    }

    public bool ReadBoolean() => Take(1)[0] switch
    {
        0 => false,
        1 => true,
        var other => throw Corrupt($"boolean byte {other}"),
    };

    public int ReadInt()
    {
        var value = ReadLong();
        return value is < int.MinValue or > int.MaxValue ? throw Corrupt("int out of range") : (int)value;
    }

    public long ReadLong()
    {
        ulong raw = 0;
        var span = _payload.Span;
        for (var shift = 0; shift < 7 * MaxVarIntBytes; shift += 7)
        {
            if (_position >= span.Length)
            {
                throw Truncated();
            }

            var b = span[_position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }

        throw Corrupt("variable-length integer longer than 10 bytes");
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public byte[] ReadBytes() => Take(ReadLength()).ToArray();

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadLength()));

    public int ReadEnum() => ReadInt();

    public long ReadArrayStart() => ReadBlockCount();

    public long ReadArrayNext() => ReadBlockCount();

    public long ReadMapStart() => ReadBlockCount();

    public long ReadMapNext() => ReadBlockCount();

    public int ReadUnionIndex() => ReadInt();

    public void ReadFixed(byte[] buffer) => ReadFixed(buffer, 0, buffer.Length);

    public void ReadFixed(byte[] buffer, int start, int length) => Take(length).CopyTo(buffer.AsSpan(start, length));

    public void SkipNull()
    {
    }

    public void SkipBoolean() => Take(1);

    public void SkipInt() => ReadLong();

    public void SkipLong() => ReadLong();

    public void SkipFloat() => Take(4);

    public void SkipDouble() => Take(8);

    public void SkipBytes() => Take(ReadLength());

    public void SkipString() => Take(ReadLength());

    public void SkipEnum() => ReadLong();

    public void SkipUnionIndex() => ReadLong();

    public void SkipFixed(int len) => Take(len);

    private int ReadLength()
    {
        var length = ReadLong();
        if (length < 0)
        {
            throw Corrupt($"negative length {length}");
        }

        return length > Remaining ? throw Corrupt($"declared length {length} exceeds the {Remaining} bytes left") : (int)length;
    }

    /// <summary>
    /// A block count above the bytes left is refused: every item of our schemas takes at least one byte, and the
    /// datum reader sizes its collection from the count before reading items.
    /// </summary>
    private long ReadBlockCount()
    {
        var count = ReadLong();
        if (count < 0)
        {
            // A negative count is followed by the block's size in bytes, which lets readers skip it.
            count = -count;
            ReadLong();
        }

        return count > Remaining ? throw Corrupt($"declared block of {count} items exceeds the {Remaining} bytes left") : count;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Truncated();
        }

        var slice = _payload.Span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private SerdeException Truncated() => new(SerdeErrorKind.DecodeFailure, $"Avro body ends early at byte {_position}.");

    private SerdeException Corrupt(string what) => new(SerdeErrorKind.DecodeFailure, $"Avro body is corrupt at byte {_position}: {what}.");
}
