using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Simulation;

public sealed class PopulationTests
{
    private const long T0 = 1_790_000_000_000;
    private static readonly Domain.Geo.StoreDirectory Stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));

    [Fact]
    public void The_same_seed_gives_the_same_population_and_journeys_and_another_seed_does_not()
    {
        var writer = new ChannelEventWriter(SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas")));
        List<string> Run(int seed)
        {
            // Every field of every record, as its Avro contract carries it.
            var population = new Population(40, seed, Stores, T0);
            return [.. population.Setup().Concat(population.Events(2_000))
                .Select(r => AvroJsonLines.Write(r.Topic, r.Key, r.Event.EventTimeMs, writer.Write(r.Event, r.Topic == population.Topics.Beacon ? r.Key : null)))];
        }

        var first = Run(7);

        Assert.Equal(first, Run(7));
        Assert.NotEqual(first, Run(8));
    }

    [Fact]
    public void Simulated_journeys_enter_stores_and_fire_triggers_through_the_shipped_rules()
    {
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var topics = TopicCatalog.Load(RepositoryLayout.TopicsFile);
        var rules = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
        var population = new Population(40, seed: 7, Stores, T0);
        var writer = new ChannelEventWriter(contracts);
        var inputs = population.Setup().Concat(population.Events(3_000))
            .Select(r => new ReplayInput(r.Topic, r.Key, writer.Write(r.Event, r.Topic == population.Topics.Beacon ? r.Key : null), r.Event.EventTimeMs)).ToList();

        var result = RuleReplay.Run(
            rules, inputs, new ReplaySetup("c360", topics, contracts, Stores, new ContextSettings(), new IdentitySettings(), new HygieneSettings()) { Drain = TimeSpan.Zero },
            new InProcessSchemaRegistry());

        Assert.Equal(0, result.DeadLetters);
        Assert.True(result.StoreEvents.Count(e => e.Type == "CUSTOMER_ENTERED") >= 10, $"{result.StoreEvents.Count(e => e.Type == "CUSTOMER_ENTERED")} store entries");
        var fired = result.Decisions.Where(d => d.Fired).GroupBy(d => d.RuleId).ToDictionary(g => g.Key, g => g.Count());
        // Each journey shape reaches the rule it exists for: carts carried into the store, walks that come near it,
        // platinum arrivals, long stays in one zone, and the app opened after a month away.
        Assert.All(
            new[] { "cart-reminder-in-store", "near-home-store-offer", "high-value-arrival", "zone-dwell-assist", "welcome-back" },
            rule => Assert.True(fired.GetValueOrDefault(rule) > 0, $"{rule} never fired; fired: " + string.Join(", ", fired.Select(f => $"{f.Key} {f.Value}"))));
    }

    [Fact]
    public void Journeys_come_in_event_time_order_on_a_realistic_time_scale_with_noisy_beacon_signal()
    {
        var population = new Population(40, seed: 3, Stores, T0);
        var events = population.EventsUntil(T0 + (30 * 60_000)).ToList();

        Assert.Equal(events.OrderBy(e => e.Event.EventTimeMs).Select(e => e.Event.EventId), events.Select(e => e.Event.EventId));
        Assert.All(events, e => Assert.InRange(e.Event.EventTimeMs, T0 - (long)Population.InProgressSince.TotalMilliseconds, T0 + (30 * 60_000)));
        // Older history is only the sparse events; positions and sightings start shortly before the start.
        Assert.DoesNotContain(events, e => e.Event is Domain.Events.LocationFix && e.Event.EventTimeMs < T0 - (long)Population.RecentHistory.TotalMilliseconds);

        // Fixes of one walk come 12-20 s apart and beacon sightings of one stay 6-12 s apart: a journey takes minutes.
        var device = events.First(e => e.Event is Domain.Events.BeaconSighting { Type: Domain.Events.SightingType.Enter } && e.Event.EventTimeMs > T0).Key;
        var sightings = events.Where(e => e.Key == device && e.Event is Domain.Events.BeaconSighting).Select(e => (Domain.Events.BeaconSighting)e.Event).ToList();
        var gaps = sightings.Zip(sightings.Skip(1), (a, b) => b.EventTimeMs - a.EventTimeMs).ToList();
        Assert.All(gaps.Take(5), gap => Assert.InRange(gap, 3_000, 15_000));
        Assert.True(sightings[^1].EventTimeMs - sightings[0].EventTimeMs >= 60_000, "a store visit lasts minutes");
        Assert.True(sightings.Select(s => s.Rssi).Distinct().Count() >= 4, "RSSI varies as phones report it: " + string.Join(" ", sightings.Select(s => s.Rssi)));
        Assert.All(sightings, s => Assert.InRange(s.Rssi, -100, -30));
    }

    [Fact]
    public void The_event_rate_follows_the_request_until_the_population_runs_out_of_customers()
    {
        var large = new Population(5_000, seed: 7, Stores, T0, eventsPerSecond: 50);
        var small = new Population(100, seed: 7, Stores, T0, eventsPerSecond: 50);

        Assert.InRange(large.ExpectedEventsPerSecond, 50, 55);
        Assert.Equal(100, small.ConcurrentJourneys);
        Assert.True(small.ExpectedEventsPerSecond < 50, $"{small.ExpectedEventsPerSecond} events/s from 100 customers");
        Assert.InRange(small.CustomersForRequestedRate, large.ConcurrentJourneys - 1, large.ConcurrentJourneys + 1);

        // Counted over twenty minutes of live journeys, the rate is what the population said it would be.
        var live = large.EventsUntil(T0 + (20 * 60_000)).Count(e => e.Event.EventTimeMs > T0);
        Assert.InRange(live / 1_200.0, large.ExpectedEventsPerSecond * 0.8, large.ExpectedEventsPerSecond * 1.2);
    }

    [Fact]
    public void Customers_answer_the_same_trigger_the_same_way_through_the_channel_it_was_sent_on()
    {
        var population = new Population(40, seed: 7, Stores, T0);
        var customer = population.Customers[3];
        var answers = Enumerable.Range(0, 400).Select(i => population.Respond($"trg-{i}", customer.CustomerId, "PUSH", T0)).ToList();

        Assert.Equal(answers.Select(a => a?.Event), Enumerable.Range(0, 400).Select(i => population.Respond($"trg-{i}", customer.CustomerId, "PUSH", T0)?.Event));
        var pushAnswers = answers.OfType<SimulatedRecord>().Select(a => a.Event).Cast<Domain.Events.AppEvent>().ToList();
        Assert.InRange(pushAnswers.Count, 240, 320);
        Assert.All(pushAnswers, a => Assert.Equal(customer.DeviceId, a.DeviceId));
        Assert.All(pushAnswers, a => Assert.Contains(a.Type, new[] { Domain.Events.AppEventType.PushOpened, Domain.Events.AppEventType.PushDismissed }));
        Assert.All(pushAnswers, a => Assert.InRange(a.EventTimeMs, T0 + 3_000, T0 + 60_000));
        Assert.Equal(pushAnswers.Count, pushAnswers.Select(a => a.EventId).Distinct().Count());

        var email = Enumerable.Range(0, 400).Select(i => population.Respond($"trg-{i}", customer.CustomerId, "EMAIL", T0)).OfType<SimulatedRecord>().ToList();
        Assert.All(email, r => Assert.Equal(population.Topics.Responses, r.Topic));
        Assert.All(email, r => Assert.Equal(customer.CustomerId, r.Key));
        Assert.Null(population.Respond("trg-1", customer.CustomerId, "STORE_ASSOCIATE", T0));
        Assert.Null(population.Respond("trg-1", "someone-else", "PUSH", T0));
    }

    [Fact]
    public void Keyed_by_customer_the_population_sends_the_same_events_on_the_customer_keyed_topics_with_the_customer_as_key()
    {
        var plain = new Population(40, seed: 7, Stores, T0);
        var keyed = new Population(40, seed: 7, Stores, T0, keyedByCustomer: true);
        var customerOf = plain.Customers.SelectMany(c => new[] { ("web:" + c.WebId, c.CustomerId), ("device:" + c.DeviceId, c.CustomerId) })
            .ToDictionary(p => p.Item1, p => p.CustomerId, StringComparer.Ordinal);

        var sent = plain.Setup().Concat(plain.Events(2_000)).Append(plain.Respond("trg-3", plain.Customers[0].CustomerId, "PUSH", T0 + 1_000)!).ToList();
        var sentKeyed = keyed.Setup().Concat(keyed.Events(2_000)).Append(keyed.Respond("trg-3", keyed.Customers[0].CustomerId, "PUSH", T0 + 1_000)!).ToList();

        Assert.Equal(sent.Select(r => (r.Event.EventId, r.Event.EventTimeMs)), sentKeyed.Select(r => (r.Event.EventId, r.Event.EventTimeMs)));
        foreach (var (record, keyedRecord) in sent.Zip(sentKeyed))
        {
            if (plain.Topics.KeyedByCustomer.TryGetValue(record.Topic, out var twin))
            {
                Assert.Equal((twin, customerOf[record.Key], record.Key, twin), (keyedRecord.Topic, keyedRecord.Key, keyedRecord.Identifier, keyedRecord.Event.SourceTopic));
            }
            else
            {
                Assert.Equal((record.Topic, record.Key, record.Identifier), (keyedRecord.Topic, keyedRecord.Key, keyedRecord.Identifier));
            }
        }

        Assert.Contains(sentKeyed, r => r.Topic == keyed.Topics.KeyedByCustomer[keyed.Topics.Beacon]);
        var withoutTwins = ProductTopicNames.Default with { KeyedByCustomer = new Dictionary<string, string>() };
        Assert.Throws<ArgumentException>(() => new Population(40, seed: 7, Stores, T0, topics: withoutTwins, keyedByCustomer: true));
    }
}
