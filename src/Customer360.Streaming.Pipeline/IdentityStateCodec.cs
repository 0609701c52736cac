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

    /// <summary>
    /// What <see cref="IdentityState.ResolvedCustomer"/> of the decoded state says, read straight from the stored
    /// bytes. The identity stage asks it for every event that does not name its customer; decoding the whole state for
    /// it (a dictionary, then a sorted one) was most of that stage's own time in a drain's profile.
    /// </summary>
    public static string? ResolvedCustomer(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        Expect(ref reader, JsonTokenType.StartObject);
        string? latest = null;
        var latestAt = long.MinValue;
        var quarantined = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Customers"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    var customer = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.Number);
                    var linkedAt = reader.GetInt64();
                    // The same rule as IdentityState.ResolvedCustomer: the latest link, equal times to the smaller id.
                    if (latest is null || linkedAt > latestAt || (linkedAt == latestAt && string.CompareOrdinal(customer, latest) < 0))
                    {
                        (latest, latestAt) = (customer, linkedAt);
                    }
                }
            }
            else if (reader.ValueTextEquals("Quarantined"u8))
            {
                quarantined = Next(ref reader) switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    var other => throw new JsonException($"Stored identity links have {other} where a true or false belongs."),
                };
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return quarantined ? null : latest;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("Stored identity links end early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (Next(ref reader) != token)
        {
            throw new JsonException($"Stored identity links have {reader.TokenType} where {token} belongs.");
        }
    }

    private sealed record StoredLinks(Dictionary<string, long> Customers, bool Quarantined);
}
