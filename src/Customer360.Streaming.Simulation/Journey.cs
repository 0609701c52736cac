using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Simulation;

/// <summary>
/// One outing of one customer, as a timed script on a realistic time scale: a browsing session (a cart, sometimes a
/// purchase), the app opened, a GPS walk toward the home store along a wandering path, a visit of several minutes with
/// beacon sightings every few seconds whose RSSI is noisy around what the distance to the beacon gives, and the walk
/// away. Some customers walk in without browsing first; some only browse. Every random choice comes from the
/// journey's own generator, so a journey does not change when others around it do.
/// </summary>
internal sealed class Journey
{
    private const double MetersPerDegreeLatitude = 111_195.0;

    private readonly SimulatedCustomer _customer;
    private readonly Random _random;
    private readonly ProductTopicNames _topics;
    private readonly Func<Guid> _nextId;
    private readonly string _sessionId;
    private decimal _cartValue;
    private int _cartItems;

    public Journey(SimulatedCustomer customer, Random random, long startMs, ProductTopicNames topics, Func<Guid> nextId, int number)
    {
        _customer = customer;
        _random = random;
        NowMs = startMs;
        _topics = topics;
        _nextId = nextId;
        _sessionId = $"s-{customer.WebId}-{number}";
    }

    /// <summary>Event time of the latest event the script produced.</summary>
    public long NowMs { get; private set; }

    public SimulatedCustomer Customer => _customer;

    public IEnumerable<SimulatedRecord> Script()
    {
        var kind = _random.NextDouble();
        var walksIn = kind < 0.2;
        var onlineOnly = kind >= 0.85;
        if (!walksIn)
        {
            foreach (var click in Browse(purchaseChance: onlineOnly ? 0.35 : 0.15))
            {
                yield return click;
            }

            if (onlineOnly)
            {
                yield break;
            }

            Wait(20, 90);
        }

        yield return App(AppEventType.AppOpen);
        for (var screens = _random.Next(1, 4); screens > 0; screens--)
        {
            Wait(4, 20);
            yield return App(AppEventType.ScreenView, Pick(["home", "offers", "product", "cart", "store-finder"]));
        }

        foreach (var step in Visit())
        {
            yield return step;
        }

        Wait(5, 30);
        yield return App(AppEventType.AppBackground);
    }

    private IEnumerable<SimulatedRecord> Browse(double purchaseChance)
    {
        // Most browsing is in the categories the customer prefers; the rest is curiosity.
        var category = _random.NextDouble() < 0.7 ? _customer.PreferredCategory : Pick(Population.Categories);
        yield return Click(ClickType.PageView, category);
        if (_random.NextDouble() < 0.3)
        {
            Wait(5, 20);
            yield return Click(ClickType.Search, category);
        }

        for (var views = _random.Next(2, 6); views > 0; views--)
        {
            Wait(10, 45);
            yield return Click(ClickType.ProductView, category);
        }

        if (_random.NextDouble() < 0.55)
        {
            Wait(5, 30);
            yield return Click(ClickType.AddToCart, category);
            if (_random.NextDouble() < purchaseChance)
            {
                Wait(30, 120);
                yield return Click(ClickType.Checkout, category);
                Wait(20, 60);
                yield return Click(ClickType.Purchase, category);
            }
        }
    }

    private IEnumerable<SimulatedRecord> Visit()
    {
        var store = _customer.HomeStore;
        // Out of the near geofence at first, so arriving near the store is a transition the rules can see.
        var bearing = _random.NextDouble() * 2 * Math.PI;
        var (north, east) = Offset(bearing, store.NearRadiusMeters + 80 + (_random.NextDouble() * 400));
        var wander = (_random.NextDouble() - 0.5) * 0.6;
        while (Math.Sqrt((north * north) + (east * east)) > store.RadiusMeters * 0.4)
        {
            yield return Fix(north, east);
            Wait(12, 20);
            // Walking at 1.1–1.7 m/s toward the store, drifting sideways a little as streets do.
            var distance = Math.Sqrt((north * north) + (east * east));
            var step = Math.Min(distance, (1.1 + (_random.NextDouble() * 0.6)) * 16);
            var heading = Math.Atan2(-east, -north) + (wander * Math.Min(1, distance / 300));
            north += step * Math.Cos(heading);
            east += step * Math.Sin(heading);
        }

        yield return Fix(north, east);
        Wait(3, 10);
        yield return Sighting("entrance", SightingType.Enter, metersFromBeacon: 2);
        foreach (var sighting in InStore())
        {
            yield return sighting;
        }

        Wait(5, 15);
        yield return Sighting("entrance", SightingType.Exit, metersFromBeacon: 4);
        // Walking away, then out of range: the next fix comes from across town.
        bearing = _random.NextDouble() * 2 * Math.PI;
        for (var fixes = _random.Next(3, 6); fixes > 0; fixes--)
        {
            Wait(12, 20);
            (north, east) = (north + (20 * Math.Cos(bearing)), east + (20 * Math.Sin(bearing)));
            yield return Fix(north, east);
        }

        Wait(120, 400);
        (north, east) = Offset(bearing, 1_500 + (_random.NextDouble() * 1_500));
        yield return Fix(north, east);
    }

    private IEnumerable<SimulatedRecord> InStore()
    {
        var zones = new List<string> { _customer.PreferredCategory };
        for (var extra = _random.Next(0, 3); extra > 0; extra--)
        {
            zones.Add(Pick(Population.Categories));
        }

        // Gold and platinum customers often take their time in their favourite zone: long enough for an associate.
        var lingers = _customer.Tier is "GOLD" or "PLATINUM" && _random.NextDouble() < 0.5;
        for (var z = 0; z < zones.Count; z++)
        {
            var staySeconds = lingers && z == 0 ? 190 + _random.Next(150) : 30 + _random.Next(120);
            foreach (var sighting in Stay(zones[z], staySeconds))
            {
                yield return sighting;
            }
        }

        if (_cartItems > 0 || _random.NextDouble() < 0.4)
        {
            foreach (var sighting in Stay("checkout", 40 + _random.Next(80)))
            {
                yield return sighting;
            }

            if (_cartItems > 0 && _random.NextDouble() < 0.6)
            {
                // The cart is paid at the till; the shop reports the order as a purchase.
                yield return Click(ClickType.Purchase, _customer.PreferredCategory);
            }
        }
    }

    /// <summary>Sightings every 6–12 s while the customer moves about a zone, a few metres from its beacon.</summary>
    private IEnumerable<SimulatedRecord> Stay(string zone, int seconds)
    {
        var leaveAt = NowMs + (seconds * 1_000L);
        var meters = 1 + (_random.NextDouble() * 6);
        while (NowMs < leaveAt)
        {
            Wait(6, 12);
            meters = Math.Clamp(meters + ((_random.NextDouble() - 0.5) * 2), 0.5, 10);
            yield return Sighting(zone, SightingType.Dwell, meters);
        }
    }

    private SimulatedRecord Click(ClickType type, string category)
    {
        var product = $"{category}-{_random.Next(40):D2}";
        decimal? price = type is ClickType.ProductView or ClickType.AddToCart ? 9.99m + _random.Next(190) : null;
        if (type == ClickType.AddToCart)
        {
            _cartValue += price!.Value;
            _cartItems++;
        }

        decimal? cartValue = type switch
        {
            ClickType.AddToCart or ClickType.Checkout => _cartValue,
            ClickType.Purchase => 0m,
            _ => null,
        };
        if (type == ClickType.Purchase)
        {
            (_cartValue, _cartItems) = (0, 0);
        }

        var page = type switch
        {
            ClickType.Search => $"https://shop.example/search?q={category}",
            ClickType.Checkout or ClickType.Purchase => "https://shop.example/checkout",
            _ => $"https://shop.example/{category}/{product}",
        };
        return new SimulatedRecord(_topics.Clickstream, "web:" + _customer.WebId, new ClickEvent(
            _nextId(), NowMs, _topics.Clickstream, type, _customer.WebId, null, _sessionId, page,
            type is ClickType.ProductView or ClickType.AddToCart ? product : null, type == ClickType.Search ? null : category,
            price, type == ClickType.AddToCart ? 1 : null, cartValue, type == ClickType.Search ? category : null));
    }

    private SimulatedRecord App(AppEventType type, string? screen = null) =>
        new(_topics.Mobile, "device:" + _customer.DeviceId, new AppEvent(_nextId(), NowMs, _topics.Mobile, type, _customer.DeviceId, null, screen));

    /// <summary>
    /// A GPS fix near a point given in metres north and east of the home store, off by up to its accuracy. Accuracy
    /// is whole metres, as phones report it, which the contract's float also carries exactly.
    /// </summary>
    private SimulatedRecord Fix(double north, double east)
    {
        var accuracy = 4 + (_random.NextDouble() * 16);
        var noisyNorth = north + ((_random.NextDouble() - 0.5) * accuracy);
        var noisyEast = east + ((_random.NextDouble() - 0.5) * accuracy);
        var store = _customer.HomeStore;
        var latitude = store.Latitude + (noisyNorth / MetersPerDegreeLatitude);
        var longitude = store.Longitude + (noisyEast / (MetersPerDegreeLatitude * Math.Cos(store.Latitude * Math.PI / 180)));
        return new SimulatedRecord(_topics.Location, "device:" + _customer.DeviceId, new LocationFix(
            _nextId(), NowMs, _topics.Location, _customer.DeviceId, Math.Round(latitude, 6), Math.Round(longitude, 6), Math.Round(accuracy)));
    }

    /// <summary>
    /// A beacon sighting: RSSI follows the log-distance path loss (−59 dBm at one metre) plus Gaussian noise of
    /// 4 dB, as phones report it; proximity is the band the reported RSSI falls into.
    /// </summary>
    private SimulatedRecord Sighting(string zone, SightingType type, double metersFromBeacon)
    {
        var rssi = (int)Math.Round(Math.Clamp(-59 - (20 * Math.Log10(metersFromBeacon)) + (4 * Gaussian()), -100, -30));
        var proximity = rssi switch
        {
            >= -62 => Proximity.Immediate,
            >= -78 => Proximity.Near,
            _ => Proximity.Far,
        };
        return new SimulatedRecord(_topics.Beacon, "device:" + _customer.DeviceId, new BeaconSighting(
            _nextId(), NowMs, _topics.Beacon, _customer.HomeStore.StoreId, zone, proximity, rssi, type));
    }

    private void Wait(int minSeconds, int maxSeconds) => NowMs += (minSeconds * 1_000L) + _random.NextInt64((maxSeconds - minSeconds) * 1_000L);

    private double Gaussian()
    {
        // Box–Muller: two uniforms give one standard normal value.
        var u = 1 - _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * _random.NextDouble());
    }

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private static (double North, double East) Offset(double bearing, double meters) => (meters * Math.Cos(bearing), meters * Math.Sin(bearing));
}
