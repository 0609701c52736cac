using System.Text;
using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>Segments, offers and learned arbitration through the product topology on the test driver.</summary>
public sealed class DecisioningPipelineTests
{
    private const long Day = 86_400_000;

    private const string Rules = """
        rules:
          - id: app-offer
            version: 1
            description: Offer something when the app opens.
            on: [app.app_open]
            when: context.known
            offers: [coffee, socks, tea]
            channel: push
            priority: 50
            expiry: 1h
            cooldown: 1m
            topic: c360.triggers.v1
        """;

    private const string Segments = """
        segments:
          - name: big-cart
            description: A cart worth more than 100.
            when: context.cart.value > 100
          - name: platinum
            description: Platinum customers.
            when: relationship.tier == 'PLATINUM'
        """;

    private const string Offers = """
        offers:
          - id: coffee
            description: A free coffee.
            channel: push
            value: 5
            capacity: {perDay: 3}
          - id: socks
            description: Free socks.
            channel: push
            value: 5
          - id: tea
            description: A free tea.
            channel: push
            value: 5
        """;

    private static readonly ProductTopicNames Names = PipelineHarness.Names;

    [Fact]
    public void A_customer_enters_leaves_and_reenters_a_segment_and_each_change_is_published_with_the_context_holding_the_membership()
    {
        var h = new PipelineHarness(rules: Catalog());
        h.Profile("c-1", 0, tier: "SILVER");
        h.Link("web:a1", "c-1", 1);
        h.Click("a1", 10_000, ClickType.AddToCart, "tv", 150m, customer: "c-1");
        h.Click("a1", 20_000, ClickType.RemoveFromCart, "tv", 0m, customer: "c-1");
        h.Click("a1", 30_000, ClickType.AddToCart, "tv", 150m, customer: "c-1");

        var changes = h.Driver.ReadOutput(Names.Segments).Select(r => Decode(h, r)).ToList();
        Assert.Equal(
            [("big-cart", "ENTERED", 10_000L), ("big-cart", "LEFT", 20_000L), ("big-cart", "ENTERED", 30_000L)],
            changes.Select(c => ((string)c["segment"], ((GenericEnum)c["change"]).Value, Ms(c["eventTime"]) - PipelineHarness.T0)));
        Assert.All(h.Driver.ReadOutput(Names.Segments), r => Assert.Equal("c-1", Encoding.UTF8.GetString(r.Key!)));
        Assert.Equal(PipelineHarness.T0 + 10_000, Ms(changes[1]["enteredAt"]));
        var context = h.Context("c-1")!;
        Assert.Equal(["big-cart"], context.SegmentNames);
        Assert.Equal(PipelineHarness.T0 + 30_000, context.Segments["big-cart"]);
        Assert.Contains("\"segments\":{\"big-cart\":", Domain.Context.ContextJson.Serialize(context), StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_that_moves_a_customer_into_a_segment_publishes_the_change_with_the_version_it_was_saved_with()
    {
        const string responsive = """
            segments:
              - name: responsive
                description: Accepted a push.
                when: context.feedback.push.accepted >= 1
            """;
        var h = new PipelineHarness(rules: RuleCatalog.Parse(new RuleSources("triggers.yaml", Rules, responsive, Offers)));
        Customer(h, "c-1", 0);
        h.AppOpen("d-c-1", 60_000);
        var trigger = Assert.Single(Triggers(h));

        h.Send(Names.Responses, "c-1", new TriggerResponse(h.NextId(), PipelineHarness.T0 + 90_000, Names.Responses, (string)trigger["triggerId"], "c-1", ResponseOutcome.Clicked));

        var entered = Decode(h, Assert.Single(h.Driver.ReadOutput(Names.Segments)));
        Assert.Equal(("responsive", "ENTERED"), ((string)entered["segment"], ((GenericEnum)entered["change"]).Value));
        Assert.Equal(PipelineHarness.T0 + 90_000, Ms(entered["eventTime"]));
        Assert.Equal(h.Context("c-1")!.Version, (long)entered["contextVersion"]);
    }

    [Fact]
    public void An_offer_capacity_holds_across_a_restart_and_all_partitions_together_never_exceed_it()
    {
        // Three partitions share a capacity of three: one coffee a day per task.
        var h = new PipelineHarness(rules: Catalog(), decisioning: new DecisioningSettings { Policy = DecisionPolicy.Priority, ContextPartitions = PipelineHarness.Partitions });
        var (first, second) = SamePartition();
        Customer(h, first, 0);
        Customer(h, second, 0);
        h.AppOpen("d-" + first, 60_000);
        Assert.Equal(["coffee"], Offered(h));

        h.Driver.Commit();
        h.Driver.CrashAndRestore();
        h.AppOpen("d-" + second, 120_000);

        // After the restart the task still knows today's coffee is spent: the next eligible offer goes instead.
        Assert.Equal(["coffee", "socks"], Offered(h));
        var decision = Decisions(h).Last();
        Assert.Contains("coffee: capacity of 3 a day reached", ((object[])((GenericRecord)decision["offerDecision"])["excluded"]).Cast<string>());

        // The next day it is there again.
        h.AppOpen("d-" + second, Day + 60_000);
        Assert.Equal("coffee", Offered(h)[^1]);

        // Many customers on every partition: at most three coffees today.
        var others = Enumerable.Range(100, 30).Select(i => $"c-{i}").ToList();
        foreach (var customer in others)
        {
            Customer(h, customer, 200_000);
        }

        foreach (var customer in others)
        {
            h.AppOpen("d-" + customer, Day + 300_000);
        }

        var coffeesOnDayTwo = Triggers(h).Count(t => Offer(t) == "coffee" && Ms(t["eventTime"]) >= PipelineHarness.T0 + Day);
        Assert.Equal(3, coffeesOnDayTwo);
    }

    [Fact]
    public void The_same_input_gives_the_same_offers_ids_and_learned_state_also_after_a_crash_and_replay()
    {
        var first = LearningJourney();
        var second = LearningJourney();

        Assert.NotEmpty(Triggers(first));
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.Equal(Learned(first), Learned(second));
        Assert.Contains(Learned(first), arm => arm.Counts.Accepted > 0);
        Assert.Contains(Learned(first), arm => arm.Counts.Ignored > 0);

        var before = Fingerprint(first);
        var learned = Learned(first);
        first.Driver.Commit();
        first.CrashAndReplayInputs();

        Assert.Equal(before, Fingerprint(first));
        Assert.Equal(learned, Learned(first));
    }

    [Fact]
    public void A_decision_record_shows_each_candidate_with_its_posterior_mean_sample_and_score_and_why_the_winner_won()
    {
        var h = LearningJourney();

        var decision = Decisions(h).Last(d => ((GenericEnum)d["outcome"]).Value == "FIRED");
        var offers = (GenericRecord)decision["offerDecision"];
        var candidates = ((object[])offers["candidates"]).Cast<GenericRecord>().ToList();
        Assert.Equal("LEARNED", ((GenericEnum)offers["policy"]).Value);
        Assert.Equal("none", (string)offers["segment"]);
        Assert.Equal(["coffee", "socks", "tea"], candidates.Select(c => (string)c["offerId"]));
        Assert.All(candidates, c => Assert.InRange((double)c["posteriorMean"], 0.0, 1.0));
        Assert.All(candidates, c => Assert.Equal((double)c["sample"] * 5, (double)c["score"], 9));
        var winner = candidates.MaxBy(c => (double)c["score"])!;
        Assert.True((bool)offers["explored"] || (string)offers["chosenOfferId"] == (string)winner["offerId"] || ((string)offers["why"]).StartsWith("exploitation", StringComparison.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace((string)offers["why"]));
        var trigger = Triggers(h).Single(t => (string)t["triggerId"] == (string)decision["triggerId"]);
        Assert.Equal((string)offers["chosenOfferId"], Offer(trigger));
    }

    private static RuleSet Catalog() => RuleCatalog.Parse(new RuleSources("triggers.yaml", Rules, Segments, Offers));

    /// <summary>Six customers over four days: the app opens daily, and each answers pushes by a fixed taste (only socks are liked).</summary>
    private static PipelineHarness LearningJourney()
    {
        var h = new PipelineHarness(rules: Catalog(), decisioning: new DecisioningSettings { MaxExplorationShare = 0.5, ContextPartitions = PipelineHarness.Partitions });
        var customers = Enumerable.Range(1, 6).Select(i => $"c-{i}").ToList();
        foreach (var customer in customers)
        {
            Customer(h, customer, 0);
        }

        for (var day = 0; day < 4; day++)
        {
            foreach (var customer in customers)
            {
                var seen = Triggers(h).Count;
                var at = (day * Day) + 36_000_000 + (customers.IndexOf(customer) * 60_000);
                h.AppOpen("d-" + customer, at);
                foreach (var trigger in Triggers(h).Skip(seen))
                {
                    h.PushAnswer("d-" + customer, at + 10_000, (string)trigger["triggerId"], opened: Offer(trigger) == "socks");
                }
            }
        }

        return h;
    }

    private static void Customer(PipelineHarness h, string customer, long t)
    {
        h.Profile(customer, t, tier: "SILVER");
        h.Link("device:d-" + customer, customer, t + 1);
    }

    /// <summary>Two customers whose records land on the same context partition (one task).</summary>
    private static (string, string) SamePartition()
    {
        var byPartition = Enumerable.Range(1, 50).Select(i => $"c-{i}")
            .GroupBy(c => Murmur2.Partition(Encoding.UTF8.GetBytes(c), PipelineHarness.Partitions))
            .First(g => g.Count() >= 2).ToList();
        return (byPartition[0], byPartition[1]);
    }

    /// <summary>What every task learned, per partition and arm.</summary>
    private static List<(int Partition, string Segment, string Offer, string Channel, ArmCounts Counts)> Learned(PipelineHarness h) =>
        [.. Enumerable.Range(0, PipelineHarness.Partitions).SelectMany(p => Arms(h, p).Select(a => (p, a.Segment, a.Offer, a.Channel, a.Counts)))
            .OrderBy(a => a.p).ThenBy(a => a.Segment, StringComparer.Ordinal).ThenBy(a => a.Offer, StringComparer.Ordinal).ThenBy(a => a.Channel, StringComparer.Ordinal)];

    /// <summary>The arms one task learned, read from its store's contents (key arm|segment|offer|channel, value "accepted ignored").</summary>
    private static IEnumerable<(string Segment, string Offer, string Channel, ArmCounts Counts)> Arms(PipelineHarness h, int partition) =>
        h.Driver.StoreContents(ProductTopics.OfferLearningStore, partition).Where(e => e.Key.StartsWith("arm|", StringComparison.Ordinal)).Select(e =>
        {
            var parts = e.Key.Split('|');
            var counts = Encoding.UTF8.GetString(e.Value).Split(' ');
            return (parts[1], parts[2], parts[3], new ArmCounts(long.Parse(counts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(counts[1], System.Globalization.CultureInfo.InvariantCulture)));
        });

    /// <summary>Every trigger id with its offer, and every decision id with its chosen offer and samples: what a replay must not change.</summary>
    private static List<string> Fingerprint(PipelineHarness h) =>
        [.. Triggers(h).Select(t => $"{t["triggerId"]} {Offer(t)}").Distinct(),
            .. Decisions(h).Select(d => $"{d["decisionId"]} {(d["offerDecision"] is GenericRecord o ? string.Join(',', ((object[])o["candidates"]).Cast<GenericRecord>().Select(c => $"{c["offerId"]}:{c["sample"]}")) + "->" + o["chosenOfferId"] : "-")}").Distinct()];

    private static List<string> Offered(PipelineHarness h) => [.. Triggers(h).Select(Offer).OfType<string>()];

    private static string? Offer(GenericRecord trigger) => trigger["offer"] is GenericRecord offer ? (string)offer["offerId"] : null;

    private static List<GenericRecord> Triggers(PipelineHarness h) => [.. h.Driver.ReadOutput(Names.Triggers).Select(r => Decode(h, r))];

    private static List<GenericRecord> Decisions(PipelineHarness h) => [.. h.Driver.ReadOutput(Names.Decisions).Select(r => Decode(h, r))];

    private static long Ms(object timestamp) => (long)((DateTime)timestamp - DateTime.UnixEpoch).TotalMilliseconds;

    private static GenericRecord Decode(PipelineHarness h, OutgoingRecord record) => new AvroDeserializer<GenericRecord>(h.Registry).Deserialize(record.Value);
}
