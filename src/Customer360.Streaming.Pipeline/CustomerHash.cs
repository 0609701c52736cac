using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// A one-way stand-in for a customer id: what logs print, and what erasure bookkeeping keeps, so neither holds the id.
/// </summary>
public static class CustomerHash
{
    public static string Of(string id)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), digest);
        return Convert.ToHexStringLower(digest[..12]);
    }
}
