using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

public sealed class RuleCatalogTests
{
    private const long T0 = 1_790_000_000_000;
    private static readonly StoreLocation Home = new("berlin-mitte", "Berlin Mitte", 52.5200, 13.4050, 50, 300);
    private static readonly ContextReducer Reducer = new(new ContextSettings(), new StoreDirectory([Home]));
    private static readonly RuleSet Shipped = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static int _ids;

    [Fact]
    public void The_shipped_rules_load_in_id_order()
    {
        Assert.Equal(
            ["browse-abandonment", "cart-reminder-in-store", "high-value-arrival", "near-home-store-offer", "next-best-offer", "push-fatigue-backoff", "welcome-back", "zone-dwell-assist"],
            Shipped.Rules.Select(r => r.Id));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("push, sms")]
    [InlineData("-1")]
    public void A_channel_that_is_a_number_or_a_list_is_rejected_not_read_as_the_member_of_its_value(string channel)
    {
        // .NET's enum parser reads "2" as sms and "push, sms" as push|sms (sms): a typo must not pick a channel.
        var yaml = $"""
            rules:
              - id: numbered
                version: 1
                description: a channel by number
                on: [click]
                when: context.cart.value > 0
                channel: "{channel}"
                priority: 1
                expiry: 1h
                cooldown: 1h
                topic: t
            """;

        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(yaml, "triggers.yaml"));

        Assert.Contains($"rules[0] 'numbered': 'channel': must be one of push, email, sms, inApp, store (was '{channel}')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_is_rejected_whole_with_every_error_naming_rule_field_and_column()
    {
        const string yaml = """
            rules:
              - id: Bad Id
                version: 0
                on: [beacon.enter, teleport]
                when: context.cart.value > 'ten'
                channel: pigeon
                priority: 101
                expiry: soon
                topic: c360.triggers.v1
              - id: ok-rule
                version: 1
                description: fine, but its id repeats below
                on: [click]
                when: context.cart.value > 0
                channel: push
                priority: 1
                expiry: 1h
                cooldown: 1h
                group: cart
                topic: t
              - id: ok-rule
                version: 1
                description: again
                on: [click]
                when: context.cart.vlue > 0
                channel: push
                priority: 1
                expiry: 1h
                cooldown: 1h
                topic: t
            """;

        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(yaml, "triggers.yaml"));

        string[] expected =
        [
            "triggers.yaml is invalid",
            "rules[0] 'Bad Id': 'id': is required: lowercase letters, digits and '-'",
            "rules[0] 'Bad Id': 'version': must be 1 or more",
            "rules[0] 'Bad Id': 'description': is required",
            "rules[0] 'Bad Id': 'on': 'teleport' is not an event kind",
            "rules[0] 'Bad Id': 'when': column 20: cannot compare a number with text using '>'",
            "rules[0] 'Bad Id': 'channel': must be one of push, email, sms, inApp, store (was 'pigeon')",
            "rules[0] 'Bad Id': 'priority': must be between 0 and 100",
            "rules[0] 'Bad Id': 'expiry': 'soon' is not a duration",
            "rules[0] 'Bad Id': 'cooldown': is required",
            "rules[1] 'ok-rule': 'groupCooldown': 'group' and 'groupCooldown' go together",
            "rules[2] 'ok-rule': 'id': is declared twice",
            "rules[2] 'ok-rule': 'when': column 1: unknown variable 'context.cart.vlue'",
        ];
        Assert.All(expected, e => Assert.Contains(e, error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Cart_reminder_fires_when_a_customer_with_an_open_cart_enters_the_home_store()
    {
        var fired = Fired(
            [Profile(), Click(ClickType.AddToCart, cart: 59.90m, t: 0), Beacon(SightingType.Enter, "entrance", t: 3_600_000)]);
        var emptyCart = Fired([Profile(), Beacon(SightingType.Enter, "entrance", t: 3_600_000)]);
        var alreadyInside = Fired(
            [Profile(), Click(ClickType.AddToCart, cart: 59.90m, t: 0), Beacon(SightingType.Enter, "entrance", t: 3_600_000), Beacon(SightingType.Enter, "toys", t: 3_660_000)]);

        Assert.Contains("cart-reminder-in-store", fired);
        Assert.DoesNotContain("cart-reminder-in-store", emptyCart);
        Assert.DoesNotContain("cart-reminder-in-store", alreadyInside);
        // Near the store is not in it.
        Assert.DoesNotContain("cart-reminder-in-store", Fired([Profile(), Click(ClickType.AddToCart, cart: 59.90m, t: 0), Fix(600, 60_000), Fix(200, 120_000)]));
        Assert.Contains("cart-reminder-in-store", Fired([Profile(), Click(ClickType.AddToCart, cart: 59.90m, t: 0), Fix(200, 60_000), Fix(20, 120_000)]));
    }

    [Fact]
    public void Zone_dwell_assist_fires_for_gold_customers_after_three_minutes_in_a_zone()
    {
        Event[] visit = [Profile(), Beacon(SightingType.Enter, "electronics", 0), .. Enumerable.Range(1, 4).Select(i => Beacon(SightingType.Dwell, "electronics", i * 50_000))];

        Assert.Contains("zone-dwell-assist", Fired(visit));
        Assert.DoesNotContain("zone-dwell-assist", Fired([.. visit.Take(4)]));
        Assert.DoesNotContain("zone-dwell-assist", Fired([Profile(tier: "BASIC"), .. visit.Skip(1)]));
        // Without another sighting: the timer fires at three minutes, if she was still seen in the second half.
        Assert.Contains("zone-dwell-assist", Fired([.. visit.Take(4)], tickAtMs: 180_000));
        Assert.DoesNotContain("zone-dwell-assist", Fired([.. visit.Take(2)], tickAtMs: 180_000));
    }

    [Fact]
    public void Browse_abandonment_fires_half_an_hour_after_browsing_without_a_cart()
    {
        Event[] browsing = [Profile(), .. Enumerable.Range(0, 3).Select(i => Click(ClickType.ProductView, t: i * 60_000))];
        const long HalfHourAfterLastView = 120_000 + 1_800_000;

        Assert.Contains("browse-abandonment", Fired(browsing, tickAtMs: HalfHourAfterLastView));
        Assert.DoesNotContain("browse-abandonment", Fired(browsing, tickAtMs: HalfHourAfterLastView - 1));
        Assert.DoesNotContain("browse-abandonment", Fired([.. browsing, Click(ClickType.AddToCart, cart: 59.90m, t: 600_000)], tickAtMs: HalfHourAfterLastView));
        Assert.DoesNotContain("browse-abandonment", Fired([.. browsing.Take(3)], tickAtMs: HalfHourAfterLastView));
    }

    [Fact]
    public void Push_fatigue_backoff_fires_when_a_third_push_in_a_row_goes_unanswered()
    {
        static CustomerContext Ignored(int inRow) => CustomerContext.Empty("c-1") with
        {
            Feedback = new FeedbackView().Update("near-home-store-offer", "push", _ => new FeedbackCounters(Sent: inRow, Ignored: inRow, IgnoredInRow: inRow)),
        };

        Event[] dismissed = [Profile(email: true), new(new AppEvent(Id(), T0, "c360.mobile.v1", AppEventType.PushDismissed, "d1"))];

        Assert.Contains("push-fatigue-backoff", Fired(dismissed, start: Ignored(3)));
        Assert.DoesNotContain("push-fatigue-backoff", Fired(dismissed, start: Ignored(2)));
        Assert.DoesNotContain("push-fatigue-backoff", Fired([Profile(email: false), dismissed[1]], start: Ignored(3)));
    }

    [Fact]
    public void Near_home_store_offer_fires_on_arrival_near_the_store_after_browsing_a_preferred_category()
    {
        Event[] browseAndWalk = [Profile(), Click(ClickType.ProductView, category: "electronics", t: 0), Fix(600, 60_000), Fix(200, 120_000)];

        Assert.Contains("near-home-store-offer", Fired(browseAndWalk));
        Assert.DoesNotContain("near-home-store-offer", Fired([Profile(), Click(ClickType.ProductView, category: "garden", t: 0), Fix(600, 60_000), Fix(200, 120_000)]));
    }

    [Fact]
    public void Welcome_back_fires_when_the_app_opens_after_thirty_days_away()
    {
        Assert.Contains("welcome-back", Fired([Profile(), App(0), App(31L * 86_400_000)]));
        Assert.DoesNotContain("welcome-back", Fired([Profile(), App(0), App(2L * 86_400_000)]));
        Assert.DoesNotContain("welcome-back", Fired([Profile(), App(31L * 86_400_000)]));
    }

    [Fact]
    public void High_value_arrival_fires_for_platinum_or_big_spenders_entering_a_store()
    {
        Assert.Contains("high-value-arrival", Fired([Profile(tier: "PLATINUM"), Beacon(SightingType.Enter, "entrance", 0)]));
        Assert.Contains("high-value-arrival", Fired([Profile(tier: "BASIC", value: 8_000m), Beacon(SightingType.Enter, "entrance", 0)]));
        Assert.DoesNotContain("high-value-arrival", Fired([Profile(tier: "SILVER"), Beacon(SightingType.Enter, "entrance", 0)]));
    }

    [Fact]
    public void The_explanation_shows_each_condition_with_what_it_saw()
    {
        var (context, before, last) = Replay([Profile(tier: "PLATINUM"), Beacon(SightingType.Enter, "entrance", 0)]);

        var evaluation = Shipped.Evaluate(new RuleScope(context, before, last, last.EventTimeMs)).Single(e => e.Rule.Id == "high-value-arrival");

        Assert.True(evaluation.Matched);
        Assert.Contains(new ConditionTrace("relationship.tier == 'PLATINUM'", "'PLATINUM'", true), evaluation.Explanation);
        Assert.Contains(new ConditionTrace("before.inStore.store != event.store", "'' vs 'berlin-mitte'", true), evaluation.Explanation);
    }

    /// <summary>
    /// Rules whose conditions held at the last step (sent or suppressed by hygiene), after taking every event in order
    /// through the reducers and the trigger engine; the last step is a timer tick when <paramref name="tickAtMs"/> is given.
    /// </summary>
    private static IReadOnlyList<string> Fired(Event[] events, long? tickAtMs = null, CustomerContext? start = null)
    {
        var engine = new TriggerEngine(Shipped, new HygieneSettings());
        var (context, state, offset) = (start ?? CustomerContext.Empty("c-1"), new TriggerState(), 0L);
        IReadOnlyList<RuleOutcome> last = [];
        foreach (var e in events.Select(e => e.Value))
        {
            var step = engine.OnEvent(context, Reducer.Apply(context, e).Context, e, new SourceRef(e.SourceTopic, 0, offset++, e.EventId), state, e.EventTimeMs);
            (context, state, last) = (step.Context, step.State, step.Outcomes);
        }

        if (tickAtMs is { } tick)
        {
            last = engine.OnTime(context, state, T0 + tick).Outcomes;
        }

        return [.. last.Select(o => o.Rule.Id)];
    }

    private static (CustomerContext Context, CustomerContext Before, ChannelEvent Last) Replay(Event[] events)
    {
        var context = CustomerContext.Empty("c-1");
        var before = context;
        foreach (var e in events)
        {
            before = context;
            context = Reducer.Apply(context, e.Value).Context;
        }

        return (context, before, events[^1].Value);
    }

    /// <summary>Wraps a domain event so collection expressions can mix kinds.</summary>
    private sealed record Event(ChannelEvent Value);

    private static Guid Id() => new(Interlocked.Increment(ref _ids), 1, 1, new byte[8]);

    private static Event Profile(string tier = "GOLD", decimal value = 1_000m, bool email = false) => new(new RelationshipProfile(
        Id(), T0 - 1_000, "c360.relationship.v1", "c-1", tier, "loyal", value, 0.1, ["electronics"], Home.StoreId,
        new Consent(Email: email, Push: true, InApp: true, Location: true), null, "Europe/Berlin", "de-DE"));

    private static Event Click(ClickType type, decimal? cart = null, string? category = "electronics", long t = 0) => new(new ClickEvent(
        Id(), T0 + t, "c360.clickstream.v1", type, "a1", "c-1", "s1", "https://shop/p", "sku-1", category, 59.90m, 1, cart));

    private static Event Beacon(SightingType type, string zone, long t) => new(new BeaconSighting(
        Id(), T0 + t, "c360.beacon.v1", Home.StoreId, zone, Proximity.Immediate, -55, type));

    private static Event Fix(double metersNorth, long t) => new(new LocationFix(
        Id(), T0 + t, "c360.location.v1", "d1", Home.Latitude + (metersNorth / 111_195.0), Home.Longitude, 8));

    private static Event App(long t) => new(new AppEvent(Id(), T0 + t, "c360.mobile.v1", AppEventType.AppOpen, "d1"));
}
