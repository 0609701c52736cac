namespace Customer360.Streaming.Testing.Corpus;

/// <summary>
/// What the hostile corpus does to a record's encoded bytes. Positions are fractions of the encoding's length, because
/// the generator draws them before the record is encoded; the framing byte (0) is left alone except by truncation.
/// </summary>
public abstract record ByteMutation
{
    /// <summary>A copy of <paramref name="encoded"/> with the mutation applied.</summary>
    public abstract byte[] Apply(byte[] encoded);

    /// <summary>Position 1 … length-1 for a fraction in [0, 1).</summary>
    protected static int PositionAfterMagic(double at, int length) => 1 + (int)(at * (length - 1));
}

/// <summary>The encoding as written: a valid frame whose field values may still be hostile.</summary>
public sealed record Untouched : ByteMutation
{
    public override byte[] Apply(byte[] encoded) => [.. encoded];
}

/// <summary>Only the first part of the encoding, as a producer that died mid-write or a broken proxy leaves it.</summary>
public sealed record Truncated(double Keep) : ByteMutation
{
    public override byte[] Apply(byte[] encoded) => encoded[..Math.Max(1, (int)(Keep * encoded.Length))];
}

/// <summary>Single bits flipped anywhere after the magic byte: in the schema id, a length, a union index or a value.</summary>
public sealed record BitsFlipped(IReadOnlyList<(double At, int Bit)> Flips) : ByteMutation
{
    public override byte[] Apply(byte[] encoded)
    {
        var copy = encoded.ToArray();
        foreach (var (at, bit) in Flips)
        {
            copy[PositionAfterMagic(at, copy.Length)] ^= (byte)(1 << bit);
        }

        return copy;
    }
}

/// <summary>
/// A zig-zag varint claiming <see cref="Claimed"/> written over the body (after the 5-byte frame header), where Avro
/// expects a string, bytes or array length: the decoder must refuse it before allocating that much.
/// </summary>
public sealed record LengthLie(double At, long Claimed) : ByteMutation
{
    private const int FrameHeader = 5;

    public override byte[] Apply(byte[] encoded)
    {
        var copy = encoded.ToArray();
        if (copy.Length <= FrameHeader)
        {
            return copy;
        }

        var position = FrameHeader + (int)(At * (copy.Length - FrameHeader));
        var zigZag = (ulong)((Claimed << 1) ^ (Claimed >> 63));
        while (position < copy.Length)
        {
            var more = zigZag > 0x7F;
            copy[position++] = (byte)((zigZag & 0x7F) | (more ? 0x80u : 0u));
            zigZag >>= 7;
            if (!more)
            {
                break;
            }
        }

        return copy;
    }
}
