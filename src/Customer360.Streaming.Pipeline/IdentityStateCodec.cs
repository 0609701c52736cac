using System.Collections.Immutable;
using System.Text.Json;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Pipeline;

/// <summary>The stored form of an identifier's links: compact JSON, customers in ordinal order.</summary>
internal static class IdentityStateCodec
{
    public static byte[] Encode(IdentityState state) =>
        JsonSerializer.SerializeToUtf8Bytes(new StoredLinks(state.LinkedCustomers.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), state.Quarantined));

    public static IdentityState Decode(ReadOnlySpan<byte> bytes)
    {
        var stored = JsonSerializer.Deserialize<StoredLinks>(bytes) ?? throw new JsonException("Stored identity links were null.");
        return new IdentityState
        {
            LinkedCustomers = stored.Customers.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Quarantined = stored.Quarantined,
        };
    }

    private sealed record StoredLinks(Dictionary<string, long> Customers, bool Quarantined);
}
