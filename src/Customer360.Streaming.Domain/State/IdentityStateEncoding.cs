using System.Collections.Immutable;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// How an identifier's links are kept in the identity-links store and its changelog: the compact encoding of contexts
/// (<see cref="CompactWriter"/>) behind a format byte. The identity stage reads the resolved customer from these bytes
/// for every event that does not name its customer, so that read builds nothing but the winning id.
/// <para>
/// Format 1: the quarantine flag, then each linked customer (ordinal order) with the time of its link. Values written
/// before it are JSON (<see cref="IdentityStateJson"/>) and start with <c>{</c>; they are still read. Any other first
/// byte is a format this version does not know: it is refused, never guessed at.
/// </para>
/// </summary>
public static class IdentityStateEncoding
{
    /// <summary>The first byte of a format-1 value, the one written now.</summary>
    public const byte Format1 = 0x01;

    public static byte[] Encode(IdentityState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var writer = CompactWriter.Reused();
        writer.Byte(Format1);
        writer.Bool(state.Quarantined);
        writer.Count(state.LinkedCustomers.Count);
        foreach (var (customer, linkedAt) in state.LinkedCustomers)
        {
            writer.String(customer);
            writer.Int(linkedAt);
        }

        return writer.ToArray();
    }

    /// <exception cref="InvalidDataException">The value is corrupt, truncated, or of a format this version does not know.</exception>
    /// <exception cref="System.Text.Json.JsonException">A JSON value of an earlier version is damaged.</exception>
    public static IdentityState Decode(ReadOnlySpan<byte> data)
    {
        if (IsJson(data))
        {
            return IdentityStateJson.Decode(data);
        }

        var links = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var quarantined = ReadFormat1(data, links, out _);
        return new IdentityState { LinkedCustomers = links.ToImmutable(), Quarantined = quarantined };
    }

    /// <summary>What <see cref="IdentityState.ResolvedCustomer"/> of the decoded state says, read without building it.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Decode"/>: a value it would refuse is refused here too, and a damaged JSON value with <see cref="System.Text.Json.JsonException"/>.</exception>
    public static string? ResolvedCustomer(ReadOnlySpan<byte> data) =>
        IsJson(data) ? IdentityStateJson.ResolvedCustomer(data)
        : ReadFormat1(data, links: null, out var latest) ? null
        : latest;

    private static bool IsJson(ReadOnlySpan<byte> data) => !data.IsEmpty && data[0] == StoredFormat.JsonDocumentStart;

    /// <summary>Reads a format-1 value to its end: returns the quarantine flag, gives the winning link, and fills <paramref name="links"/> when asked to.</summary>
    private static bool ReadFormat1(ReadOnlySpan<byte> data, ImmutableSortedDictionary<string, long>.Builder? links, out string? latest)
    {
        if (data.IsEmpty)
        {
            throw StoredFormat.Empty("identity state");
        }

        if (data[0] != Format1)
        {
            throw StoredFormat.Unknown("identity state", data[0]);
        }

        var reader = new CompactReader(data[1..]);
        var quarantined = reader.Bool();
        latest = null;
        var latestAt = long.MinValue;
        string? previous = null;
        for (var count = reader.Count(); count > 0; count--)
        {
            var customer = reader.RequiredString();
            var linkedAt = reader.Int();
            // Written in ordinal order: a repeated or misplaced customer is damage, and both reads refuse it alike.
            if (previous is not null && string.CompareOrdinal(previous, customer) >= 0)
            {
                throw new InvalidDataException("A stored identity state's customers are out of order or repeated.");
            }

            previous = customer;
            links?.Add(customer, linkedAt);
            if (IdentityState.LinkWins(customer, linkedAt, latest, latestAt))
            {
                (latest, latestAt) = (customer, linkedAt);
            }
        }

        return reader.AtEnd ? quarantined : throw new InvalidDataException("A stored identity state has bytes after its last field.");
    }
}
