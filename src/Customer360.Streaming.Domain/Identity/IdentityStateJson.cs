using System.Collections.Immutable;
using System.Text.Json;

namespace Customer360.Streaming.Domain.Identity;

/// <summary>
/// The form an identifier's links were stored in before the compact encoding (<see cref="State.IdentityStateEncoding"/>):
/// a JSON object <c>{"Customers":{"&lt;id&gt;":&lt;linked at&gt;,…},"Quarantined":false}</c>. Still read, with its quick
/// read of the resolved customer, since an identifier's links stay in this form until it is linked again; no longer
/// written.
/// </summary>
public static class IdentityStateJson
{
    public static IdentityState Decode(ReadOnlySpan<byte> json)
    {
        var links = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var quarantined = Read(json, links, out _);
        return new IdentityState { LinkedCustomers = links.ToImmutable(), Quarantined = quarantined };
    }

    /// <summary>What <see cref="IdentityState.ResolvedCustomer"/> of the decoded state says, read without building it.</summary>
    public static string? ResolvedCustomer(ReadOnlySpan<byte> json) => Read(json, links: null, out var latest) ? null : latest;

    /// <summary>
    /// Walks the stored object once: returns whether the identifier is quarantined, gives the latest link (the rule of
    /// <see cref="IdentityState.ResolvedCustomer"/>), and fills <paramref name="links"/> when asked to. Fields in any
    /// order, unknown fields skipped.
    /// </summary>
    private static bool Read(ReadOnlySpan<byte> json, ImmutableSortedDictionary<string, long>.Builder? links, out string? latest)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        latest = null;
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
                    if (links is not null)
                    {
                        links[customer] = linkedAt;
                    }

                    if (IdentityState.LinkWins(customer, linkedAt, latest, latestAt))
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

        return quarantined;
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
}
