namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>
/// The xoshiro256** sequence that MathNet's <c>Xoshiro256StarStar(seed)</c> draws (state from SplitMix64 of the
/// seed), reseeded in place. Every offer score is its own seed, and constructing a generator cost about 1.9 µs: any
/// <see cref="Random"/> subclass builds .NET's legacy seeded generator in its base constructor, which a subclass then
/// never uses. One instance per thread is made once and reseeded for each draw, so choices stay what they were.
/// </summary>
public sealed class ThompsonDraws : Random
{
    private const double UnitOf53Bits = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Starts the sequence a new generator of <paramref name="seed"/> would start.</summary>
    public void Reseed(int seed)
    {
        var x = (ulong)(long)seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    public override double NextDouble() => (NextBits() >> 11) * UnitOf53Bits;

    /// <summary>What the base class's integer and byte draws are made from, so they follow the same sequence.</summary>
    protected override double Sample() => NextDouble();

    public override int Next() => (int)(NextBits() >> 33);

    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)(NextDouble() * maxValue);
    }

    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue + (int)(NextDouble() * ((long)maxValue - minValue));
    }

    public override long NextInt64() => (long)(NextBits() >> 1);

    public override void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(NextBits() >> 56);
        }
    }

    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

    private ulong NextBits()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var shifted = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= shifted;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
