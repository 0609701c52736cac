using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Domain;

/// <summary>
/// The product's one id scheme: the first 16 bytes of SHA-256 over a name made of the id's parts (joined by newlines),
/// so the same input always gives the same id and a replay re-emits what consumers already deduplicate. Shown as
/// lowercase hex (trigger ids) or as an RFC 9562 version 8 UUID (the contracts' <c>logicalType: uuid</c> event ids).
/// The runtime's output ids (<c>c360.output.id</c>) follow the same scheme in the runtime, which references no product
/// project.
/// </summary>
public static class DeterministicIds
{
    public static string Hex(string name) => Convert.ToHexStringLower(Digest(name));

    public static Guid Uuid(string name)
    {
        var bytes = Digest(name);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>A 32-bit seed from the same digest: for draws that a replay must repeat (offer sampling).</summary>
    public static int Seed(string name) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Digest(name));

    private static byte[] Digest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), digest);
        return digest[..16].ToArray();
    }
}
