using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline.Simulation;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Contracts;
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
            var population = new Population(40, seed, Stores, T0, stepMs: 1_000);
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
        var topics = TopicCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "topics.yaml"));
        var rules = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
        var population = new Population(40, seed: 7, Stores, T0, stepMs: 1_000);
        var writer = new ChannelEventWriter(contracts);
        var inputs = population.Setup().Concat(population.Events(3_000))
            .Select(r => new ReplayInput(r.Topic, r.Key, writer.Write(r.Event, r.Topic == population.Topics.Beacon ? r.Key : null), r.Event.EventTimeMs)).ToList();

        var result = RuleReplay.Run(
            rules, inputs, new ReplaySetup("c360", topics, contracts, Stores, new ContextSettings(), new IdentitySettings(), new HygieneSettings()) { Drain = TimeSpan.Zero },
            new InProcessSchemaRegistry());

        Assert.Equal(0, result.DeadLetters);
        Assert.True(result.StoreEvents.Count(e => e.Type == "CUSTOMER_ENTERED") >= 10, $"{result.StoreEvents.Count(e => e.Type == "CUSTOMER_ENTERED")} store entries");
        var fired = result.Decisions.Where(d => d.Fired).GroupBy(d => d.RuleId).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(fired.Values.Sum() >= 5, "fired: " + string.Join(", ", fired.Select(f => $"{f.Key} {f.Value}")));
    }
}
