using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Testing;

/// <summary>One input record of a scripted journey: topic, key and the domain event.</summary>
public sealed record JourneyRecord(string Topic, string Key, ChannelEvent Event);

/// <summary>
/// The journey every trigger test tells: a gold customer browses a TV and adds it to her cart, walks from 600 m to
/// 200 m from her home store (berlin-mitte of topology/stores.yaml), enters, and stays in electronics. With the
/// shipped rules it yields near-home-store-offer, cart-reminder-in-store and zone-dwell-assist.
/// </summary>
public static class ScriptedJourney
{
    public const long T0 = 1_790_000_000_000;
    public const double StoreLatitude = 52.5219;
    public const double StoreLongitude = 13.4132;

    /// <param name="customer">Customer id; the device and browser ids derive from it.</param>
    /// <param name="dwellSightings">Sightings in electronics after the first, 50 s apart (6 pass three minutes).</param>
    public static List<JourneyRecord> Records(string customer = "c-1", long startMs = T0, int dwellSightings = 6)
    {
        var (device, browser) = ($"d-{customer}", $"a-{customer}");
        var sequence = 0;
        // Event ids derive from the customer and the step (not string.GetHashCode, which differs per process).
        var customerBits = BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(customer)));
        Guid Id() => new(customerBits, 9, (short)++sequence, new byte[8]);
        var records = new List<JourneyRecord>
        {
            new("c360.relationship.v1", customer, new RelationshipProfile(
                Id(), startMs, "c360.relationship.v1", customer, "GOLD", "families", 1234.50m, 0.1, ["electronics"], "berlin-mitte",
                new Consent(Email: true, Push: true, InApp: true, Location: true), null, "Europe/Berlin", "de-DE")),
            new("c360.identity.v1", $"device:{device}", new IdentityLink(
                Id(), startMs + 1_000, "c360.identity.v1", IdentifierType.Device, device, customer, IdentityAction.Link)),
            Click(ClickType.ProductView, 1_000, null),
            Click(ClickType.AddToCart, 2_000, 99.90m),
            Fix(60_000, 600),
            Fix(120_000, 200),
            Beacon(180_000, "entrance", SightingType.Enter),
            Beacon(190_000, "electronics", SightingType.Dwell),
        };
        for (var i = 1; i <= dwellSightings; i++)
        {
            records.Add(Beacon(190_000 + (i * 50_000), "electronics", SightingType.Dwell));
        }

        return records;

        JourneyRecord Click(ClickType type, long t, decimal? cart) => new("c360.clickstream.v1", $"web:{browser}", new ClickEvent(
            Id(), startMs + t, "c360.clickstream.v1", type, browser, customer, $"s-{browser}", "https://shop.example/p/tv", "tv", "electronics", 99.90m, 1, cart));

        JourneyRecord Fix(long t, double metersNorth) => new("c360.location.v1", $"device:{device}", new LocationFix(
            Id(), startMs + t, "c360.location.v1", device, StoreLatitude + (metersNorth / 111_195.0), StoreLongitude, 8));

        JourneyRecord Beacon(long t, string zone, SightingType type) => new("c360.beacon.v1", $"device:{device}", new BeaconSighting(
            Id(), startMs + t, "c360.beacon.v1", "berlin-mitte", zone, Proximity.Immediate, -55, type));
    }

    /// <summary>The records as an events file (JSON Lines of Avro-JSON values), as <c>c360 rules test --events</c> reads it.</summary>
    public static string ToJsonLines(IEnumerable<JourneyRecord> records, SchemaCatalog contracts)
    {
        ArgumentNullException.ThrowIfNull(records);
        var writer = new ChannelEventWriter(contracts);
        return string.Join('\n', records.Select(r =>
            AvroJsonLines.Write(r.Topic, r.Key, r.Event.EventTimeMs, writer.Write(r.Event, r.Topic == "c360.beacon.v1" ? r.Key : null)))) + "\n";
    }
}
