using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Simulation;

/// <summary>An event and where it is produced: topic and key, as a real channel would.</summary>
public sealed record SimulatedRecord(string Topic, string Key, ChannelEvent Event)
{
    /// <summary>The identifier the channel knows (a beacon sighting carries it): the key, unless the record is keyed by customer.</summary>
    public string Identifier { get; init; } = Key;
}

/// <summary>A simulated customer: ids, devices, where they shop, what the relationship says.</summary>
/// <param name="LastAppOpenMs">For customers who have not used the app for a month or more, when they last did.</param>
public sealed record SimulatedCustomer(
    string CustomerId, string WebId, string DeviceId, StoreLocation HomeStore, bool LocationConsent, string Tier, string PreferredCategory,
    decimal LifetimeValue, long? LastAppOpenMs);

/// <summary>
/// A seeded, deterministic population and its journeys (<see cref="Journey"/>), on a realistic time scale: a GPS fix
/// every 12–20 s while walking, a beacon sighting every 6–12 s inside, visits of several minutes. About as many
/// journeys run at once as the requested event rate needs; each ends with a pause before the customer's next outing.
/// Records come out in event-time order, and the same seed gives the same records, event ids included.
/// <para>
/// The population starts in the middle of the day: the journeys in progress at <c>startMs</c> began up to
/// <see cref="InProgressSince"/> earlier. Of that earlier part only the sparse events are replayed (web and app
/// events, store entries and exits) plus positions and sightings of the last <see cref="RecentHistory"/>, so
/// contexts start warm and customers arrive in stores from the first minute, without a backlog of tens of thousands
/// of records.
/// </para>
/// </summary>
public sealed class Population
{
    internal static readonly string[] Categories = ["electronics", "toys", "fashion", "home", "sports"];
    private static readonly string[] Tiers = ["BASIC", "SILVER", "GOLD", "PLATINUM"];

    public static readonly TimeSpan InProgressSince = TimeSpan.FromMinutes(20);
    public static readonly TimeSpan RecentHistory = TimeSpan.FromMinutes(2);

    private const int PauseMinSeconds = 10;
    private const int PauseMaxSeconds = 120;

    private readonly int _seed;
    private readonly Random _ids;
    private readonly long _startMs;
    private readonly PriorityQueue<RunningJourney, (long TimeMs, long Sequence)> _running = new();
    private readonly Queue<SimulatedCustomer> _idle = new();
    private readonly Dictionary<string, SimulatedCustomer> _byId;
    private long _sequence;
    private int _journeys;
    private int _issuedIds;
    private readonly bool _keyedByCustomer;

    /// <param name="eventsPerSecond">The event rate to aim for; <see cref="ExpectedEventsPerSecond"/> says what the population can give.</param>
    /// <param name="keyedByCustomer">
    /// Send channel events as sources that know who is signed in would: on each channel's customer-keyed topic
    /// (<see cref="ProductTopicNames.KeyedByCustomer"/>), keyed by the customer id. The events are the same either way.
    /// </param>
    public Population(
        int customers, int seed, StoreDirectory stores, long startMs, double eventsPerSecond = 50, ProductTopicNames? topics = null, bool keyedByCustomer = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(customers, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerSecond);
        ArgumentNullException.ThrowIfNull(stores);
        if (stores.Stores.Count == 0)
        {
            throw new ArgumentException("The population needs at least one store.", nameof(stores));
        }

        Topics = topics ?? ProductTopicNames.Default;
        _keyedByCustomer = keyedByCustomer;
        if (keyedByCustomer && Topics.ChannelsNotKeyedByCustomer is { Count: > 0 } lacking)
        {
            throw new ArgumentException($"Keying by customer needs a customer-keyed topic for every channel; none is declared for {string.Join(", ", lacking)}.", nameof(keyedByCustomer));
        }

        _seed = seed;
        _ids = new Random(seed);
        _startMs = startMs;
        var profiles = new Random(Mix(seed, -1));
        Customers = [.. Enumerable.Range(0, customers).Select(i => NewCustomer(i, stores, profiles, startMs))];
        _byId = Customers.ToDictionary(c => c.CustomerId, StringComparer.Ordinal);

        var perJourney = EventsPerJourneySecond();
        ConcurrentJourneys = Math.Clamp((int)Math.Ceiling(eventsPerSecond / perJourney), 1, customers);
        ExpectedEventsPerSecond = ConcurrentJourneys * perJourney;
        RequestedEventsPerSecond = eventsPerSecond;
        var starts = new Random(Mix(seed, -2));
        for (var i = 0; i < customers; i++)
        {
            if (i < ConcurrentJourneys)
            {
                Start(Customers[i], startMs - starts.NextInt64((long)InProgressSince.TotalMilliseconds));
            }
            else
            {
                _idle.Enqueue(Customers[i]);
            }
        }
    }

    public IReadOnlyList<SimulatedCustomer> Customers { get; }

    public ProductTopicNames Topics { get; }

    /// <summary>Journeys running at any moment.</summary>
    public int ConcurrentJourneys { get; }

    /// <summary>The journey event rate this population gives in steady state (lower than asked when it has too few customers).</summary>
    public double ExpectedEventsPerSecond { get; }

    public double RequestedEventsPerSecond { get; }

    /// <summary>Customers needed for the requested rate: one per journey running at once.</summary>
    public int CustomersForRequestedRate => (int)Math.Ceiling(ConcurrentJourneys * RequestedEventsPerSecond / ExpectedEventsPerSecond);

    /// <summary>
    /// What exists before the journeys, all from months ago, when the customers registered: identity links (web id
    /// and device), relationship profiles, and the last app open of customers who have been away from the app for a
    /// month or more. Contexts ignore events older than their grace period allows, so this history has to be in
    /// the contexts before anything of today is.
    /// </summary>
    public IEnumerable<SimulatedRecord> Setup()
    {
        var registeredMs = _startMs - (long)TimeSpan.FromDays(120).TotalMilliseconds;
        foreach (var c in Customers)
        {
            yield return Link(IdentifierType.Web, c.WebId, c, registeredMs);
            yield return Link(IdentifierType.Device, c.DeviceId, c, registeredMs);
            yield return new SimulatedRecord(Topics.Relationship, c.CustomerId, new RelationshipProfile(
                NextId(), registeredMs, Topics.Relationship, c.CustomerId, c.Tier, c.Tier is "GOLD" or "PLATINUM" ? "loyal" : "occasional",
                c.LifetimeValue, c.Tier is "BASIC" ? 0.4 : 0.15, [c.PreferredCategory], c.HomeStore.StoreId,
                new Consent(Email: true, Push: true, InApp: true, Location: c.LocationConsent), QuietHoursOf(c), "Europe/Berlin", "de-DE"));
        }

        foreach (var c in Customers.Where(c => c.LastAppOpenMs is not null).OrderBy(c => c.LastAppOpenMs))
        {
            yield return AsSent(new SimulatedRecord(Topics.Mobile, "device:" + c.DeviceId, new AppEvent(NextId(), c.LastAppOpenMs!.Value, Topics.Mobile, AppEventType.AppOpen, c.DeviceId)), c);
        }
    }

    /// <summary>
    /// About one customer in three keeps quiet hours (22:00–07:00 in Berlin); the others never set any. Drawn from the
    /// seed and the customer, apart from the profile draws, so adding it changed no other attribute. It also keeps the
    /// real-time demo from going silent at night, when everyone's quiet hours would hold every push back.
    /// </summary>
    private QuietHours? QuietHoursOf(SimulatedCustomer customer) =>
        OfferPropensity.Uniform($"{_seed}\nquiet\n{customer.CustomerId}") < 1.0 / 3 ? new QuietHours(22 * 60, 7 * 60) : null;

    /// <summary>The next <paramref name="count"/> journey events in event-time order, continuing where the previous call stopped.</summary>
    public IEnumerable<SimulatedRecord> Events(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    /// <summary>The journey events up to and including <paramref name="untilMs"/>, continuing where the previous call stopped.</summary>
    public IEnumerable<SimulatedRecord> EventsUntil(long untilMs)
    {
        while (_running.TryPeek(out _, out var next) && next.TimeMs <= untilMs)
        {
            if (Take() is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// How the customer answers a trigger sent to them, as the channel reports it, or null when nothing comes back
    /// (the send then counts as ignored when it expires). Pushes are opened or dismissed in the app (app events that
    /// carry the trigger id); e-mail and in-app messages are reported on the responses topic. The answer and its
    /// delay are drawn from the trigger id, so the same triggers get the same answers whenever they are seen.
    /// </summary>
    /// <param name="channel">The trigger's channel as its contract spells it: PUSH, EMAIL, IN_APP, SMS or STORE_ASSOCIATE.</param>
    /// <param name="offer">
    /// The offer the trigger carries and the segment it was chosen in: then the customer accepts with their hidden
    /// propensity (<see cref="OfferPropensity"/>) and otherwise says no, so every offer is answered.
    /// </param>
    public SimulatedRecord? Respond(string triggerId, string customerId, string channel, long sentMs, (string OfferId, string Segment)? offer = null)
    {
        ArgumentNullException.ThrowIfNull(triggerId);
        if (!_byId.TryGetValue(customerId, out var customer))
        {
            return null;
        }

        var random = new Random(Mix(_seed, StableHash(triggerId)));
        var roll = random.NextDouble();
        var id = new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"response:{_seed}:{triggerId}")).AsSpan(0, 16));
        long After(int minSeconds, int maxSeconds) => sentMs + (random.Next(minSeconds, maxSeconds) * 1_000L);
        if (offer is var (offerId, segment))
        {
            var accepts = roll < OfferPropensity.Of(_seed, customerId, segment, offerId);
            return channel switch
            {
                "PUSH" => PushAnswer(accepts ? AppEventType.PushOpened : AppEventType.PushDismissed, After(5, 60)),
                "IN_APP" => Reported(accepts ? ResponseOutcome.Clicked : ResponseOutcome.Ignored, After(2, 20)),
                _ => Reported(accepts ? ResponseOutcome.Opened : ResponseOutcome.Ignored, After(60, 600)),
            };
        }

        return channel switch
        {
            "PUSH" when roll < 0.35 => PushAnswer(AppEventType.PushOpened, After(5, 60)),
            "PUSH" when roll < 0.70 => PushAnswer(AppEventType.PushDismissed, After(3, 30)),
            "IN_APP" when roll < 0.5 => Reported(ResponseOutcome.Clicked, After(2, 20)),
            "EMAIL" when roll < 0.05 => Reported(ResponseOutcome.Converted, After(120, 900)),
            "EMAIL" when roll < 0.30 => Reported(ResponseOutcome.Opened, After(60, 600)),
            _ => null,
        };

        SimulatedRecord PushAnswer(AppEventType type, long atMs) =>
            AsSent(new(Topics.Mobile, "device:" + customer.DeviceId, new AppEvent(id, atMs, Topics.Mobile, type, customer.DeviceId, null, null, triggerId)), customer);

        SimulatedRecord Reported(ResponseOutcome outcome, long atMs) =>
            new(Topics.Responses, customer.CustomerId, new TriggerResponse(id, atMs, Topics.Responses, triggerId, customer.CustomerId, outcome));
    }

    /// <summary>FNV-1a: string hashes differ between processes in .NET, and answers must not.</summary>
    private static int StableHash(string text)
    {
        var hash = 2_166_136_261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16_777_619u);
        }

        return (int)hash;
    }

    private SimulatedRecord Next()
    {
        while (true)
        {
            if (Take() is { } record)
            {
                return record;
            }
        }
    }

    /// <summary>The earliest pending event, or null when it is history the population does not replay.</summary>
    private SimulatedRecord? Take()
    {
        var running = _running.Dequeue();
        var record = running.Script.Current;
        if (running.Script.MoveNext())
        {
            _running.Enqueue(running, (running.Script.Current.Event.EventTimeMs, _sequence++));
        }
        else
        {
            running.Script.Dispose();
            _idle.Enqueue(running.Journey.Customer);
            var resting = running.Journey.NowMs + (Random(running.Number).Next(PauseMinSeconds, PauseMaxSeconds) * 1_000L);
            Start(_idle.Dequeue(), resting);
        }

        var replayed = record.Event.EventTimeMs >= _startMs - (long)RecentHistory.TotalMilliseconds || record.Event is ClickEvent or AppEvent
            || record.Event is BeaconSighting { Type: SightingType.Enter or SightingType.Exit };
        return replayed ? AsSent(record, running.Journey.Customer) : null;
    }

    /// <summary>
    /// The record as it is sent: unchanged, or, when the population is keyed by customer, on its channel's
    /// customer-keyed topic with the customer id as key (the channel's identifier stays in the record).
    /// </summary>
    private SimulatedRecord AsSent(SimulatedRecord record, SimulatedCustomer customer) =>
        _keyedByCustomer && Topics.KeyedByCustomer.TryGetValue(record.Topic, out var twin)
            ? new SimulatedRecord(twin, customer.CustomerId, record.Event with { SourceTopic = twin }) { Identifier = record.Identifier }
            : record;

    private void Start(SimulatedCustomer customer, long startMs)
    {
        var number = _journeys++;
        var journey = new Journey(customer, Random(number), startMs, Topics, NextId, number);
        var script = journey.Script().GetEnumerator();
        if (script.MoveNext())
        {
            _running.Enqueue(new RunningJourney(journey, script, number), (script.Current.Event.EventTimeMs, _sequence++));
        }
    }

    /// <summary>Journey events per second of a journey and the pause after it, from sample journeys (deterministic).</summary>
    private double EventsPerJourneySecond()
    {
        const int samples = 64;
        var events = 0L;
        var durationMs = 0L;
        for (var i = 0; i < samples; i++)
        {
            var journey = new Journey(Customers[i % Customers.Count], new Random(Mix(_seed, -3 - i)), 0, Topics, () => Guid.Empty, i);
            events += journey.Script().LongCount();
            durationMs += journey.NowMs + ((PauseMinSeconds + PauseMaxSeconds) * 500L);
        }

        return events * 1_000.0 / durationMs;
    }

    private static SimulatedCustomer NewCustomer(int i, StoreDirectory stores, Random random, long startMs)
    {
        var tier = Tiers[i % Tiers.Length];
        var lifetimeValue = tier switch
        {
            "PLATINUM" => 6_000 + random.Next(14_000),
            "GOLD" => 2_000 + random.Next(5_000),
            "SILVER" => 500 + random.Next(2_000),
            _ => 20 + random.Next(600),
        };
        // Customers that have not opened the app for a month or more, so a welcome back has someone to greet.
        long? lastAppOpenDaysAgo = random.NextDouble() < 0.15 ? 31 + random.Next(60) : null;
        return new SimulatedCustomer(
            $"cust-{i:D5}", $"w{i:D5}", $"d{i:D5}", stores.Stores[i % stores.Stores.Count], i % 10 != 9, tier,
            Categories[random.Next(Categories.Length)], lifetimeValue,
            lastAppOpenDaysAgo is { } days ? startMs - (long)TimeSpan.FromDays(days).TotalMilliseconds : null);
    }

    private Random Random(int journey) => new(Mix(_seed, journey));

    /// <summary>A well-spread generator seed from the population's seed and a journey number (SplitMix64 finalizer).</summary>
    private static int Mix(int seed, int stream)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private SimulatedRecord Link(IdentifierType type, string value, SimulatedCustomer c, long t)
    {
        var link = new IdentityLink(NextId(), t, Topics.Identity, type, value, c.CustomerId, IdentityAction.Link);
        return new SimulatedRecord(Topics.Identity, link.Identifier, link);
    }

    /// <summary>Ids from the seeded generator, so the same seed gives the same ids.</summary>
    private Guid NextId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _ids.NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, ++_issuedIds);
        return new Guid(bytes);
    }

    private sealed record RunningJourney(Journey Journey, IEnumerator<SimulatedRecord> Script, int Number);
}
