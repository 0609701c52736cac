using System.Text;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

public sealed class TriggerPipelineTests
{
    private static readonly RuleSet Shipped = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static readonly ProductTopicNames Names = PipelineHarness.Names;

    [Fact]
    public void A_journey_yields_exactly_the_expected_triggers_store_events_and_decisions()
    {
        var h = Journey();

        Assert.Equal(["near-home-store-offer", "cart-reminder-in-store"], Rules(h, Names.Triggers));
        var storeEvents = h.Driver.ReadOutput(Names.StoreEvents);
        Assert.All(storeEvents, e => Assert.Equal(PipelineHarness.Store.StoreId, Encoding.UTF8.GetString(e.Key!)));
        var records = storeEvents.Select(e => Decode(h, Names.StoreEvents, e)).ToList();
        Assert.Equal(["CUSTOMER_ENTERED", "CUSTOMER_DWELLING", "ASSOCIATE_ASSIST"], records.Select(r => Symbol(r["type"])));
        var assistRecord = records[2];
        Assert.Equal("electronics", assistRecord["zoneId"]);
        Assert.DoesNotContain("c-1", assistRecord["visitorRef"].ToString()!, StringComparison.Ordinal);
        Assert.Single(records.Select(r => r["visitorRef"]).Distinct());

        // The dwell events after the assist matched again and were suppressed by its cooldown, which decisions say.
        var decisions = h.Driver.ReadOutput(Names.Decisions).Select(r => Decode(h, Names.Decisions, r)).ToList();
        Assert.Equal(3, decisions.Count(d => Symbol(d["outcome"]) == "FIRED"));
        Assert.Contains(decisions, d => d["ruleId"].ToString() == "zone-dwell-assist" && Symbol(d["reason"]) == "COOLDOWN");
    }

    [Fact]
    public void A_trigger_carries_its_explanation_and_where_its_event_came_from()
    {
        var h = Journey();

        var trigger = Decode(h, Names.Triggers, h.Driver.ReadOutput(Names.Triggers)[^1]);

        Assert.Equal("cart-reminder-in-store", trigger["ruleId"].ToString());
        Assert.Equal("PUSH", Symbol(trigger["channel"]));
        var explanation = ((object[])trigger["explanation"]).Cast<GenericRecord>().ToList();
        Assert.Contains(explanation, e => (string)e["expression"] == "context.cart.value > 0" && (string)e["actual"] == "99.9" && (bool)e["passed"]);
        Assert.Equal(Names.Beacon, ((GenericRecord)trigger["source"])["topic"]);
        Assert.Equal((long)((DateTime)trigger["eventTime"] - DateTime.UnixEpoch).TotalMilliseconds + (30 * 60_000), (long)((DateTime)trigger["expiresAt"] - DateTime.UnixEpoch).TotalMilliseconds);
    }

    [Fact]
    public void The_same_input_gives_the_same_trigger_ids_and_a_replay_after_a_crash_emits_no_new_ones()
    {
        var first = Journey();
        var second = Journey();
        var ids = Ids(first);
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids, Ids(second));

        first.Driver.Commit();
        first.Driver.CrashAndRestore();
        foreach (var topic in Names.Channels.Append(Names.Relationship).Append(Names.Identity))
        {
            for (var p = 0; p < PipelineHarness.Partitions; p++)
            {
                first.Driver.ReplayFrom(topic, p, 0);
            }
        }

        Assert.Equal(ids, Ids(first));
    }

    [Fact]
    public void Without_push_consent_the_push_rules_are_suppressed_and_say_so()
    {
        var h = new PipelineHarness(rules: Shipped);
        h.Send(Names.Relationship, "c-1", new RelationshipProfile(
            h.NextId(), PipelineHarness.T0, Names.Relationship, "c-1", "GOLD", "loyal", 10m, 0.1, ["electronics"], PipelineHarness.Store.StoreId,
            new Consent(Location: true), null, "Europe/Berlin", "de-DE"));
        h.Link("device:d1", "c-1", 1);
        h.Click("a1", 1_000, ClickType.AddToCart, "tv", 99.90m, customer: "c-1");
        h.Fix("d1", 60_000, 200);
        h.Beacon("d1", 120_000, "entrance", SightingType.Enter);

        Assert.Empty(h.Driver.ReadOutput(Names.Triggers));
        var decisions = h.Driver.ReadOutput(Names.Decisions).Select(r => Decode(h, Names.Decisions, r)).ToList();
        Assert.Contains(decisions, d => d["ruleId"].ToString() == "cart-reminder-in-store" && Symbol(d["reason"]) == "CONSENT");
    }

    [Fact]
    public void Leaving_the_store_tells_the_store_how_long_the_visit_was()
    {
        var h = Journey();
        h.Beacon("d1", 600_000, "entrance", SightingType.Exit);

        var left = Decode(h, Names.StoreEvents, h.Driver.ReadOutput(Names.StoreEvents)[^1]);

        Assert.Equal("CUSTOMER_LEFT", Symbol(left["type"]));
        Assert.True((int)left["dwellSeconds"] >= 300, $"dwell {left["dwellSeconds"]} s");
        Assert.Null(h.Context("c-1")!.InStore.StoreId);
    }

    /// <summary>Browse and add to cart, walk toward the home store, enter, dwell in electronics.</summary>
    private static PipelineHarness Journey()
    {
        var h = new PipelineHarness(rules: Shipped);
        h.Profile("c-1", 0);
        h.Link("device:d1", "c-1", 1);
        h.Click("a1", 1_000, ClickType.ProductView, "tv", customer: "c-1");
        h.Click("a1", 2_000, ClickType.AddToCart, "tv", 99.90m, customer: "c-1");
        h.Fix("d1", 60_000, 600);
        h.Fix("d1", 120_000, 200);
        h.Beacon("d1", 180_000, "entrance", SightingType.Enter);
        h.Beacon("d1", 190_000, "electronics");
        for (var i = 1; i <= 6; i++)
        {
            h.Beacon("d1", 190_000 + (i * 50_000), "electronics");
        }

        return h;
    }

    private static List<string> Rules(PipelineHarness h, string topic) =>
        [.. h.Driver.ReadOutput(topic).Select(r => Decode(h, topic, r)["ruleId"].ToString()!)];

    private static List<string> Ids(PipelineHarness h) =>
        [.. h.Driver.ReadOutput(Names.Triggers).Select(r => Decode(h, Names.Triggers, r)["triggerId"].ToString()!)
            .Concat(h.Driver.ReadOutput(Names.StoreEvents).Select(r => Decode(h, Names.StoreEvents, r)["triggerId"]).OfType<string>())];

    private static string Symbol(object value) => ((GenericEnum)value).Value;

    private static GenericRecord Decode(PipelineHarness h, string topic, Runtime.Processing.OutgoingRecord record) =>
        new AvroDeserializer<GenericRecord>(h.Registry).Deserialize(record.Value);
}
