using Avro.Generic;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>The product topology on the test driver, fed with domain events encoded as their Avro contracts.</summary>
internal sealed class PipelineHarness
{
    public const int Partitions = 3;
    public const long T0 = 1_790_000_000_000;

    public static readonly ProductTopicNames Names = ProductTopicNames.Default;

    public static readonly StoreLocation Store = new("berlin-mitte", "Berlin Mitte", 52.5200, 13.4050, 50, 300);

    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private static readonly TopicCatalog Topics = TopicCatalog.Load(RepositoryLayout.TopicsFile);

    private readonly ChannelEventWriter _writer = new(Contracts);
    private readonly AvroSerializer<GenericRecord> _serializer;
    private int _nextId;

    public PipelineHarness(
        IdentitySettings? identity = null, Domain.Triggers.RuleSet? rules = null, TimeProvider? clock = null, TimeSpan? maxFutureSkew = null, StoreDirectory? stores = null,
        Domain.Decisioning.DecisioningSettings? decisioning = null, StreamsOptions? options = null)
    {
        var registry = new InProcessSchemaRegistry();
        Registry = registry;
        _serializer = new AvroSerializer<GenericRecord>(registry);
        Codec = new EventCodec(registry, new AvroSerdeOptions(), Contracts, Topics, clock, maxFutureSkew);
        Settings = new ContextPipelineSetup(new ContextSettings(), identity ?? new IdentitySettings(), stores ?? new StoreDirectory([Store]), Codec, Names)
        {
            Rules = rules is null ? null : new Pipeline.Triggers.LiveRuleSet(rules),
            Decisioning = decisioning ?? new Domain.Decisioning.DecisioningSettings { ContextPartitions = Partitions },
        };
        Topology = ProductTopology.Build("c360", Topics, Settings, Metrics, NullLoggerFactory.Instance);
        Driver = new TopologyTestDriver(Topology, Partitions, options);
    }

    /// <summary>
    /// A harness fed the simulator's setup (profiles and links) and then <paramref name="events"/> journey events of
    /// <paramref name="customers"/> customers at the shipped stores; with <paramref name="keyedByCustomer"/>, on the
    /// customer-keyed channel topics.
    /// </summary>
    public static PipelineHarness Simulated(int customers, int seed, int events, bool keyedByCustomer = false)
    {
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));
        var h = new PipelineHarness(stores: stores);
        var population = new Customer360.Streaming.Simulation.Population(customers, seed, stores, T0, eventsPerSecond: 150, keyedByCustomer: keyedByCustomer);
        foreach (var record in population.Setup().Concat(population.Events(events)))
        {
            h.Driver.PipeInput(record.Topic, record.Key, h.Encode(record.Event, record.Topic, record.Identifier), record.Event.EventTimeMs);
        }

        return h;
    }

    /// <summary>Another customer whose context lives in the same task (context partition) as <paramref name="customer"/>'s.</summary>
    public static string SamePartitionAs(string customer)
    {
        static int PartitionOf(string id) => Murmur2.Partition(System.Text.Encoding.UTF8.GetBytes(id), Partitions);
        return Enumerable.Range(2, 100).Select(i => $"c-{i}").First(other => PartitionOf(other) == PartitionOf(customer));
    }

    public EventCodec Codec { get; }

    public InProcessSchemaRegistry Registry { get; }

    public ContextPipelineSetup Settings { get; }

    public PipelineMetrics Metrics { get; } = new();

    public StreamTopology Topology { get; }

    public TopologyTestDriver Driver { get; }

    public string EventsByCustomer => Topology.RepartitionTopics[0];

    public byte[] Encode(ChannelEvent e, string topic, string? identifier = null) =>
        _serializer.SerializeAsync(_writer.Write(e, identifier), topic).GetAwaiter().GetResult();

    public TaskOutcome Send(string topic, string key, ChannelEvent e) => SendAt(topic, key, e, e.EventTimeMs);

    /// <summary>An event in a record whose Kafka timestamp is <paramref name="timestampMs"/>, which producers usually set to the event time.</summary>
    public TaskOutcome SendAt(string topic, string key, ChannelEvent e, long timestampMs) =>
        Driver.PipeInput(topic, key, Encode(e, topic, topic == Names.Beacon ? key : null), timestampMs);

    /// <summary>An event its source keyed by customer, on the channel's customer-keyed topic; a beacon sighting names <paramref name="identifier"/>.</summary>
    public TaskOutcome SendKeyed(string customer, ChannelEvent e, string identifier = "device:d1")
    {
        var topic = Names.KeyedByCustomer[e.SourceTopic];
        return Driver.PipeInput(topic, customer, Encode(e with { SourceTopic = topic }, topic, identifier), e.EventTimeMs);
    }

    public TaskOutcome Link(string identifier, string customer, long t, IdentityAction action = IdentityAction.Link)
    {
        var (type, value) = identifier.Split(':', 2) switch
        {
            ["web", var v] => (IdentifierType.Web, v),
            ["device", var v] => (IdentifierType.Device, v),
            ["app", var v] => (IdentifierType.LoyaltyApp, v),
            _ => throw new ArgumentException("Expected web:, device: or app:.", nameof(identifier)),
        };
        return Send(Names.Identity, identifier, new IdentityLink(NextId(), T0 + t, Names.Identity, type, value, customer, action));
    }

    public TaskOutcome Profile(string customer, long t, bool location = true, string tier = "GOLD") =>
        Send(Names.Relationship, customer, ProfileOf(customer, t, location, tier));

    public RelationshipProfile ProfileOf(string customer, long t, bool location = true, string tier = "GOLD") =>
        new(
            NextId(), T0 + t, Names.Relationship, customer, tier, "families", 1234.50m, 0.1, ["electronics"], Store.StoreId,
            new Consent(Push: true, Location: location), null, "Europe/Berlin", "de-DE");

    public TaskOutcome Click(string anonymousId, long t, ClickType type, string? product = null, decimal? cart = null, string? customer = null) =>
        Send(Names.Clickstream, "web:" + anonymousId, new ClickEvent(
            NextId(), T0 + t, Names.Clickstream, type, anonymousId, customer, "s-" + anonymousId, "https://shop.example/p/" + (product ?? "home"),
            product, product is null ? null : "electronics", product is null ? null : 99.90m, product is null ? null : 1, cart));

    public TaskOutcome Fix(string device, long t, double metersNorth) =>
        Send(Names.Location, "device:" + device, new LocationFix(NextId(), T0 + t, Names.Location, device, Store.Latitude + (metersNorth / 111_195.0), Store.Longitude, 8));

    public TaskOutcome AppOpen(string device, long t) =>
        Send(Names.Mobile, "device:" + device, new AppEvent(NextId(), T0 + t, Names.Mobile, AppEventType.AppOpen, device));

    /// <summary>The app reports what the customer did with a push.</summary>
    public TaskOutcome PushAnswer(string device, long t, string triggerId, bool opened) =>
        Send(Names.Mobile, "device:" + device, new AppEvent(NextId(), T0 + t, Names.Mobile, opened ? AppEventType.PushOpened : AppEventType.PushDismissed, device, TriggerId: triggerId));

    public TaskOutcome Beacon(string device, long t, string zone, SightingType type = SightingType.Dwell) =>
        Send(Names.Beacon, "device:" + device, new BeaconSighting(NextId(), T0 + t, Names.Beacon, Store.StoreId, zone, Proximity.Immediate, -55, type));

    /// <summary>
    /// A crash after the last commit, then every input delivered again from offset 0, as consumers restarting from
    /// scratch would: what the guards must turn into no change at all.
    /// </summary>
    public void CrashAndReplayInputs()
    {
        Driver.CrashAndRestore();
        foreach (var topic in Names.Channels.Concat(Names.CustomerKeyedChannels).Append(Names.Relationship).Append(Names.Identity))
        {
            for (var p = 0; p < Partitions; p++)
            {
                Driver.ReplayFrom(topic, p, 0);
            }
        }
    }

    /// <summary>
    /// No input, and the wall clock moves on until "now" (the wall clock minus grace) is <paramref name="untilMs"/>:
    /// two idle ticks, the second exactly then.
    /// </summary>
    public void IdleUntil(long untilMs)
    {
        var interval = (long)Settings.TimerInterval.TotalMilliseconds;
        var lastTick = untilMs + (long)Settings.Context.Grace.TotalMilliseconds;
        if (lastTick - (2 * interval) > Driver.WallClockMs)
        {
            Driver.AdvanceWallClock(TimeSpan.FromMilliseconds(lastTick - (2 * interval) - Driver.WallClockMs));
        }

        Driver.AdvanceWallClock(Settings.TimerInterval);
        Driver.AdvanceWallClock(Settings.TimerInterval);
    }

    /// <summary>The stored context of a customer (any partition), or null.</summary>
    public CustomerContext? Context(string customer) => Find(ProductTopics.ContextsStore, customer);

    public CustomerContext? Anonymous(string identifier) => Find(ProductTopics.AnonymousContextsStore, identifier);

    /// <summary>Every key of every store, across partitions.</summary>
    public IEnumerable<(string Store, string Key, byte[] Value)> AllState() =>
        Topology.SubTopologies.SelectMany(s => s.Stores).SelectMany(store =>
            Enumerable.Range(0, Partitions).SelectMany(p => Driver.StoreContents(store, p).Select(e => (store, e.Key, e.Value))));

    /// <summary>The encoded contexts of the contexts store, without its bookkeeping keys.</summary>
    public IReadOnlyList<byte[]> StoredContexts() =>
        [.. AllState().Where(s => s.Store == ProductTopics.ContextsStore && s.Key[0] != '\0').Select(s => s.Value)];

    public Guid NextId() => new(Interlocked.Increment(ref _nextId), 7, 7, new byte[8]);

    private CustomerContext? Find(string store, string key)
    {
        for (var p = 0; p < Partitions; p++)
        {
            if (Driver.StoreContents(store, p).TryGetValue(key, out var stored))
            {
                return Domain.State.ContextState.Decode(stored);
            }
        }

        return null;
    }
}
