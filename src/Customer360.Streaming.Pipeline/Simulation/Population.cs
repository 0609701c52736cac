using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Pipeline.Simulation;

/// <summary>An event and where it is produced: topic and key, as a real channel would.</summary>
public sealed record SimulatedRecord(string Topic, string Key, ChannelEvent Event);

/// <summary>A simulated customer: ids, devices and where they shop.</summary>
public sealed record SimulatedCustomer(string CustomerId, string WebId, string DeviceId, StoreLocation HomeStore, bool LocationConsent, string Tier);

/// <summary>
/// A seeded, deterministic population and its journeys: each customer browses and fills a cart, opens the app, walks
/// toward the home store along GPS fixes, moves between zones inside (beacons), and walks away again. The same seed
/// gives the same records, event ids included, so runs can be compared with a reference. Event time advances by
/// <c>stepMs</c> per event from <c>startMs</c>, so nothing is late.
/// </summary>
public sealed class Population
{
    private static readonly string[] Tiers = ["BASIC", "SILVER", "GOLD", "PLATINUM"];
    private static readonly string[] Categories = ["electronics", "toys", "fashion", "home", "sports"];
    private static readonly string[] Zones = ["entrance", "electronics", "fashion", "checkout"];
    private static readonly string[] Screens = ["home", "offers", "product", "cart", "store-finder"];

    private const int JourneyLength = 24;
    private const int ActiveCustomers = 25;

    private readonly Random _random;
    private readonly int[] _phase;
    private readonly long _startMs;
    private readonly long _stepMs;
    private long _step;
    private int _ids;

    public Population(int customers, int seed, StoreDirectory stores, long startMs, long stepMs = 50, ProductTopicNames? topics = null)
    {
        Topics = topics ?? ProductTopicNames.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(customers, 1);
        ArgumentNullException.ThrowIfNull(stores);
        if (stores.Stores.Count == 0)
        {
            throw new ArgumentException("The population needs at least one store.", nameof(stores));
        }

        _random = new Random(seed);
        _startMs = startMs;
        _stepMs = stepMs;
        _phase = new int[customers];
        Customers = [.. Enumerable.Range(0, customers).Select(i => new SimulatedCustomer(
            $"cust-{i:D5}", $"w{seed}x{i}", $"d{seed}x{i}", stores.Stores[i % stores.Stores.Count], i % 10 != 9, Tiers[i % Tiers.Length]))];
    }

    public IReadOnlyList<SimulatedCustomer> Customers { get; }

    public ProductTopicNames Topics { get; }

    /// <summary>What exists before the journeys: relationship profiles and identity links (web id and device).</summary>
    public IEnumerable<SimulatedRecord> Setup()
    {
        var t = _startMs - 60_000;
        for (var i = 0; i < Customers.Count; i++)
        {
            var c = Customers[i];
            yield return new SimulatedRecord(Topics.Relationship, c.CustomerId, new RelationshipProfile(
                NextId(), t, Topics.Relationship, c.CustomerId, c.Tier, c.Tier is "GOLD" or "PLATINUM" ? "loyal" : "occasional",
                100m + (i * 37 % 4_000), 0.2, [Categories[_random.Next(Categories.Length)]], c.HomeStore.StoreId,
                new Consent(Email: true, Push: true, InApp: true, Location: c.LocationConsent), new QuietHours(22 * 60, 7 * 60), "Europe/Berlin", "de-DE"));
            yield return Link(IdentifierType.Web, c.WebId, c, t);
            yield return Link(IdentifierType.Device, c.DeviceId, c, t);
        }
    }

    /// <summary>The next <paramref name="count"/> journey events, continuing where the previous call stopped.</summary>
    public IEnumerable<SimulatedRecord> Events(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    private SimulatedRecord Next()
    {
        var t = _startMs + (_step++ * _stepMs);
        // A rolling group of customers is active at a time, so journeys complete instead of spreading thin.
        var window = Math.Min(Customers.Count, ActiveCustomers);
        var index = (int)(((_step / (JourneyLength * window) * window) + _random.Next(window)) % Customers.Count);
        var c = Customers[index];
        var phase = _phase[index]++ % JourneyLength;
        return phase switch
        {
            < 6 => Click(c, t, phase),
            < 8 => App(c, t, phase == 6 ? AppEventType.AppOpen : AppEventType.ScreenView),
            // Walking toward the store: 1,500 m away down to inside, with a little GPS noise.
            < 14 => Fix(c, t, 1_500 - ((phase - 8) * 300) + _random.Next(-15, 16)),
            < 20 => Beacon(c, t, Zones[Math.Min(phase - 14, Zones.Length - 1)], phase == 19 ? SightingType.Exit : SightingType.Dwell),
            < 23 => Fix(c, t, 100 + ((phase - 20) * 600)),
            _ => App(c, t, AppEventType.AppBackground),
        };
    }

    private SimulatedRecord Click(SimulatedCustomer c, long t, int phase)
    {
        var category = Categories[_random.Next(Categories.Length)];
        var product = $"{category}-{_random.Next(40):D2}";
        var (type, cart) = phase switch
        {
            0 => (ClickType.PageView, (decimal?)null),
            1 or 2 => (ClickType.ProductView, null),
            3 => (ClickType.Search, null),
            4 => (ClickType.AddToCart, (decimal?)(10 + _random.Next(200))),
            _ => (_random.Next(4) == 0 ? ClickType.Purchase : ClickType.ProductView, null),
        };
        return new SimulatedRecord(Topics.Clickstream, "web:" + c.WebId, new ClickEvent(
            NextId(), t, Topics.Clickstream, type, c.WebId, null, $"s-{c.WebId}", $"https://shop.example/{category}/{product}",
            type is ClickType.ProductView or ClickType.AddToCart ? product : null, type == ClickType.Search ? null : category,
            type is ClickType.ProductView or ClickType.AddToCart ? 19.99m : null, type == ClickType.AddToCart ? 1 : null, cart,
            type == ClickType.Search ? category : null));
    }

    private SimulatedRecord App(SimulatedCustomer c, long t, AppEventType type) =>
        new(Topics.Mobile, "device:" + c.DeviceId, new AppEvent(
            NextId(), t, Topics.Mobile, type, c.DeviceId, null, type == AppEventType.ScreenView ? Screens[_random.Next(Screens.Length)] : null));

    private SimulatedRecord Fix(SimulatedCustomer c, long t, double metersNorth) =>
        new(Topics.Location, "device:" + c.DeviceId, new LocationFix(
            NextId(), t, Topics.Location, c.DeviceId, c.HomeStore.Latitude + (metersNorth / 111_195.0), c.HomeStore.Longitude, 5 + _random.Next(20)));

    private SimulatedRecord Beacon(SimulatedCustomer c, long t, string zone, SightingType type) =>
        new(Topics.Beacon, "device:" + c.DeviceId, new BeaconSighting(
            NextId(), t, Topics.Beacon, c.HomeStore.StoreId, zone, _random.Next(3) == 0 ? Proximity.Immediate : Proximity.Near, -50 - _random.Next(30), type));

    private SimulatedRecord Link(IdentifierType type, string value, SimulatedCustomer c, long t)
    {
        var link = new IdentityLink(NextId(), t, Topics.Identity, type, value, c.CustomerId, IdentityAction.Link);
        return new SimulatedRecord(Topics.Identity, link.Identifier, link);
    }

    /// <summary>Ids from the seeded generator, so the same seed gives the same ids.</summary>
    private Guid NextId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, ++_ids);
        return new Guid(bytes);
    }
}
