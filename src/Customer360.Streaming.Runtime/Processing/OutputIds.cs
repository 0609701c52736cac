using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Deterministic output ids: a hash of who emitted, for which key, caused by which input. The same scheme as the
/// product's <c>DeterministicIds</c> (first 16 bytes of SHA-256 over the newline-joined parts, as lowercase hex), kept
/// here because the runtime references no product project. The parts are written as UTF-8 straight into one buffer
/// and the id comes out as the header's bytes: an id costs the hash and one 32-byte array, not five strings.
/// </summary>
public static class OutputIds
{
    /// <summary>Parts up to this many UTF-8 bytes are joined on the stack; longer ones (huge keys) in a pooled array.</summary>
    private const int StackLimit = 512;

    /// <summary>The id of an output caused by an input record, as the UTF-8 bytes of its hex text (the header's value).</summary>
    public static byte[] For(string emitter, string? key, RecordOrigin origin, int sequence)
    {
        var maxBytes = MaxBytes(emitter) + MaxBytes(key) + MaxBytes(origin.Topic) + 11 + 20 + 11 + 5;
        var rented = maxBytes > StackLimit ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        var parts = new PartWriter(rented is null ? stackalloc byte[StackLimit] : rented);
        parts.Text(emitter);
        parts.Text(key);
        parts.Text(origin.Topic);
        parts.Number(origin.Partition);
        parts.Number(origin.Offset);
        parts.Last(sequence);
        return HashToHex(parts.Written, rented);
    }

    public static byte[] ForPunctuation(string emitter, string? key, string punctuation, int partition, long timeMs, int sequence) =>
        Joined($"{emitter}\n{key}\npunctuate:{punctuation}\n{partition}\n{timeMs}\n{sequence}");

    /// <summary>An output coalesced per commit (<see cref="IProcessor.Flush"/>): named by key and version, so a replay that coalesces differently emits the same id for the same version.</summary>
    public static byte[] ForVersion(string emitter, string key, string version) =>
        Joined($"{emitter}\n{key}\nversion:{version}");

    /// <summary>Punctuations and versioned outputs are rare beside records: the plain form of the scheme serves them.</summary>
    private static byte[] Joined(string text) => HashToHex(Encoding.UTF8.GetBytes(text), rented: null);

    private static int MaxBytes(string? text) => text is null ? 0 : Encoding.UTF8.GetMaxByteCount(text.Length);

    private static byte[] HashToHex(ReadOnlySpan<byte> joined, byte[]? rented)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(joined, digest);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        var hex = new byte[32];
        for (var i = 0; i < 16; i++)
        {
            hex[2 * i] = HexDigit(digest[i] >> 4);
            hex[(2 * i) + 1] = HexDigit(digest[i] & 0xF);
        }

        return hex;
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    /// <summary>Appends newline-separated parts to a span sized for them up front.</summary>
    private ref struct PartWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _length;

        public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

        public void Text(string? text)
        {
            _length += text is null ? 0 : Encoding.UTF8.GetBytes(text, _buffer[_length..]);
            _buffer[_length++] = (byte)'\n';
        }

        public void Number(long value)
        {
            Utf8Formatter.TryFormat(value, _buffer[_length..], out var written);
            _length += written;
            _buffer[_length++] = (byte)'\n';
        }

        public void Last(int value)
        {
            Utf8Formatter.TryFormat(value, _buffer[_length..], out var written);
            _length += written;
        }
    }
}
