using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;

namespace Customer360.Streaming.Domain.Tests.Context;

/// <summary>Concise event builders for reducer tests; ids derive from time and channel, so runs are deterministic and two events never share an id.</summary>
internal static class Events
{
    public const long T0 = 1_790_000_000_000;

    /// <summary>A store at a known point, 50 m radius, near within 300 m.</summary>
    public static readonly StoreLocation Store = new("berlin-mitte", "Berlin Mitte", 52.5200, 13.4050, 50, 300);

    public static readonly StoreDirectory Stores = new([Store, new StoreLocation("hamburg", "Hamburg", 53.5511, 9.9937, 50, 300)]);

    public static Guid Id(long t, short channel = 0) => new(unchecked((int)t), channel, 0, new byte[8]);

    public static ClickEvent Click(long t, ClickType type, string? product = null, string? category = null, decimal? cart = null, string? search = null, int quantity = 1, string session = "s1") =>
        new(Id(t), T0 + t, "c360.clickstream.v1", type, "anon-1", null, session, $"https://shop.example/p/{product ?? "home"}", product, category, null, quantity, cart, search);

    public static AppEvent App(long t, AppEventType type, string? screen = null) => new(Id(t, 1), T0 + t, "c360.mobile.v1", type, "device-1", null, screen);

    /// <summary>A fix <paramref name="metersNorth"/> north of the store.</summary>
    public static LocationFix Fix(long t, double metersNorth, double accuracy = 10) =>
        new(Id(t, 2), T0 + t, "c360.location.v1", "device-1", Store.Latitude + (metersNorth / 111_195.0), Store.Longitude, accuracy);

    public static BeaconSighting Beacon(long t, string zone, SightingType type = SightingType.Dwell, Proximity proximity = Proximity.Near, int rssi = -65, string store = "berlin-mitte") =>
        new(Id(t, 3), T0 + t, "c360.beacon.v1", store, zone, proximity, rssi, type);

    public static RelationshipProfile Profile(long t, bool locationConsent = true, string tier = "GOLD") =>
        new(Id(t, 4), T0 + t, "c360.relationship.v1", "c-1", tier, "families", 1234.50m, 0.1, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: locationConsent), null, "Europe/Berlin", "de-DE");
}
