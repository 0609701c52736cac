using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Deterministic output ids: a hash of who emitted, for which key, caused by which input. The same scheme as the
/// product's <c>DeterministicIds</c> (first 16 bytes of SHA-256 over the newline-joined parts, as hex), kept here
/// because the runtime references no product project.
/// </summary>
public static class OutputIds
{
    public static string For(string emitter, string? key, RecordOrigin origin, int sequence) =>
        Hash($"{emitter}\n{key}\n{origin.Topic}\n{origin.Partition}\n{origin.Offset}\n{sequence}");

    public static string ForPunctuation(string emitter, string? key, string punctuation, int partition, long timeMs, int sequence) =>
        Hash($"{emitter}\n{key}\npunctuate:{punctuation}\n{partition}\n{timeMs}\n{sequence}");

    /// <summary>An output coalesced per commit (<see cref="IProcessor.Flush"/>): named by key and version, so a replay that coalesces differently emits the same id for the same version.</summary>
    public static string ForVersion(string emitter, string key, string version) =>
        Hash($"{emitter}\n{key}\nversion:{version}");

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
