using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using static Customer360.Streaming.Domain.Tests.Context.Events;

namespace Customer360.Streaming.Domain.Tests.Triggers;

/// <summary>Temporal rules and feedback on one customer, with time as data: no clock is read anywhere.</summary>
public sealed class TriggerEngineTests
{
    private static readonly RuleCompiler<RuleScope> Compiler = new(RuleVariables.All);

    private static readonly TriggerRule BrowseAbandonment = Rule("browse-abandonment", ["click.product_view"], "relationship.consent.push") with
    {
        Absence = new AbsenceSpec(["click.add_to_cart", "click.purchase"], TimeSpan.FromMinutes(30)),
    };

    private static readonly TriggerRule ZoneDwell = Rule("zone-dwell", ["beacon"], "relationship.tier == 'GOLD'", TriggerChannel.Store) with
    {
        Dwell = new DwellSpec(DwellPlace.Zone, TimeSpan.FromMinutes(3)),
    };

    private static readonly TriggerRule CartAfterPush = Rule("cart-after-push", ["click.add_to_cart"], "context.cart.value > 0") with
    {
        Sequence = new SequenceSpec(["app.push_opened"], TimeSpan.FromHours(1)),
    };

    [Fact]
    public void Absence_fires_from_time_alone_when_nothing_followed()
    {
        var journey = new Journey(BrowseAbandonment);
        journey.Apply(Profile(0));
        journey.Apply(Click(60_000, ClickType.ProductView, "tv", "electronics"));

        Assert.Empty(journey.Tick(T0 + 60_000 + (29 * 60_000)));
        var fired = Assert.Single(journey.Tick(T0 + 60_000 + (30 * 60_000)));

        Assert.True(fired.Fires);
        Assert.Equal(T0 + 60_000 + (30 * 60_000), fired.TimeMs);
        Assert.Contains(fired.Explanation, t => t.Condition == "not followed by click.add_to_cart or click.purchase within 30m");
        Assert.Empty(journey.Tick(T0 + (24 * 3_600_000)));
    }

    [Fact]
    public void Absence_is_cancelled_by_the_event_it_waits_for_but_not_by_one_after_the_deadline()
    {
        var cancelled = new Journey(BrowseAbandonment);
        cancelled.Apply(Profile(0));
        cancelled.Apply(Click(60_000, ClickType.ProductView, "tv", "electronics"));
        cancelled.Apply(Click(120_000, ClickType.AddToCart, "tv", "electronics", cart: 499m));
        Assert.Empty(cancelled.Tick(T0 + 3_600_000));

        // The add to cart came 31 minutes later: the abandonment had already happened, whenever the timer is looked at.
        var late = new Journey(BrowseAbandonment);
        late.Apply(Profile(0));
        late.Apply(Click(60_000, ClickType.ProductView, "tv", "electronics"));
        late.Apply(Click(60_000 + (31 * 60_000), ClickType.AddToCart, "tv", "electronics", cart: 499m));
        Assert.True(Assert.Single(late.Tick(T0 + 3_600_000)).Fires);
    }

    [Fact]
    public void A_later_view_moves_the_abandonment_deadline()
    {
        var journey = new Journey(BrowseAbandonment);
        journey.Apply(Profile(0));
        journey.Apply(Click(60_000, ClickType.ProductView, "tv", "electronics"));
        journey.Apply(Click(20 * 60_000, ClickType.ProductView, "radio", "electronics"));

        Assert.Empty(journey.Tick(T0 + 60_000 + (30 * 60_000)));
        Assert.Single(journey.Tick(T0 + (50 * 60_000)));
    }

    [Fact]
    public void Dwell_fires_from_a_timer_once_per_stay_and_not_after_moving_on()
    {
        var journey = new Journey(ZoneDwell);
        journey.Apply(Profile(0));
        journey.InZone("electronics", fromMs: 10_000, toMs: 130_000);
        var zone = journey.Context.InStore;
        Assert.Equal("electronics", zone.ZoneId);
        var due = zone.ZoneEnteredMs + 180_000;

        Assert.Empty(journey.Tick(due - 1));
        var fired = Assert.Single(journey.Tick(due));
        Assert.True(fired.Fires);
        Assert.Equal(due, fired.TimeMs);
        Assert.Contains(fired.Explanation, t => t.Condition == "dwell in zone >= 3m" && t.Actual == "3m");

        // Still there a minute later: no second trigger (and no suppressed decision either) for the same stay.
        Assert.Empty(journey.Apply(Beacon(due - T0 + 60_000, "electronics")));
        Assert.Empty(journey.Tick(due + 3_600_000));
    }

    [Fact]
    public void Dwell_is_dropped_when_the_customer_moves_or_is_no_longer_seen()
    {
        var moved = new Journey(ZoneDwell);
        moved.Apply(Profile(0));
        moved.InZone("electronics", fromMs: 10_000, toMs: 70_000);
        moved.InZone("toys", fromMs: 100_000, toMs: 160_000);
        Assert.Equal("toys", moved.Context.InStore.ZoneId);
        Assert.Empty(moved.Tick(moved.Context.InStore.ZoneEnteredMs - 1));

        // Seen only at the start of the dwell: beacons stopped (phone off, left without an exit sighting).
        var vanished = new Journey(ZoneDwell);
        vanished.Apply(Profile(0));
        vanished.InZone("electronics", fromMs: 10_000, toMs: 40_000);
        Assert.Empty(vanished.Tick(T0 + 3_600_000));
        Assert.Empty(vanished.State.Timers);
    }

    [Fact]
    public void Dwell_reached_on_an_event_and_from_the_timer_carries_the_same_trigger_id()
    {
        var byTimer = new Journey(ZoneDwell);
        byTimer.Apply(Profile(0));
        byTimer.InZone("electronics", fromMs: 10_000, toMs: 130_000);
        var fromTimer = Assert.Single(byTimer.Tick(byTimer.Context.InStore.ZoneEnteredMs + 180_000));

        var byEvent = new Journey(ZoneDwell);
        byEvent.Apply(Profile(0));
        byEvent.InZone("electronics", fromMs: 10_000, toMs: 130_000);
        var fromEvent = Assert.Single(byEvent.InZone("electronics", fromMs: 220_000, toMs: 220_000));

        Assert.True(fromEvent.Fires);
        Assert.Equal(fromTimer.TriggerId, fromEvent.TriggerId);
    }

    [Fact]
    public void A_timer_past_due_by_stream_time_is_decided_as_of_its_due_time_but_by_wall_clock_it_can_be_stale()
    {
        var fresh = ZoneDwell with { Hygiene = ZoneDwell.Hygiene with { MaxEventAge = TimeSpan.FromMinutes(1) } };
        Journey Dwelling()
        {
            var journey = new Journey(fresh);
            journey.Apply(Profile(0));
            journey.InZone("electronics", fromMs: 10_000, toMs: 130_000);
            return journey;
        }

        // Stream time jumped an hour past the due time (the next record in the partition came then): not lateness.
        var byStream = Assert.Single(Dwelling().Tick(T0 + 3_600_000, decideAtDue: true));
        // The wall clock says the processor noticed an hour late (it was down): the freshness guard speaks.
        var byWall = Assert.Single(Dwelling().Tick(T0 + 3_600_000, decideAtDue: false));

        Assert.True(byStream.Fires);
        Assert.Equal(SuppressionReason.Stale, byWall.Decision.Suppressed);
        Assert.Equal(byStream.TriggerId, byWall.TriggerId);
    }

    [Fact]
    public void A_sequence_fires_only_after_its_first_event_within_the_time()
    {
        var journey = new Journey(CartAfterPush);
        Assert.Empty(journey.Apply(Click(10_000, ClickType.AddToCart, "tv", "electronics", cart: 499m)));

        journey.Apply(App(20_000, AppEventType.PushOpened));
        var fired = Assert.Single(journey.Apply(Click(20_000 + (45 * 60_000), ClickType.AddToCart, "radio", "electronics", cart: 548m)));
        Assert.Contains(fired.Explanation, t => t.Condition == "after app.push_opened within 1h" && t.Actual == "45m before" && t.Result == true);

        var tooLate = new Journey(CartAfterPush);
        tooLate.Apply(App(20_000, AppEventType.PushOpened));
        Assert.Empty(tooLate.Apply(Click(20_000 + (61 * 60_000), ClickType.AddToCart, "radio", "electronics", cart: 548m)));
    }

    [Fact]
    public void Ignored_sends_fatigue_a_rule_until_the_back_off_passes_and_an_accepted_one_resets_it()
    {
        var hygiene = new HygieneSettings { DailyCap = 100, FatigueAfterIgnored = 2, FatigueBackOff = TimeSpan.FromDays(3) };
        var rule = Rule("view-nudge", ["click.product_view"], "relationship.consent.push", expiry: TimeSpan.FromHours(1), cooldown: TimeSpan.FromMinutes(1));
        var journey = new Journey(rule, hygiene);
        journey.Apply(Profile(0));
        const long Hour = 3_600_000;

        // First send dismissed in the app; second send never answered: its deadline passes.
        var first = Assert.Single(journey.Apply(Click(Hour, ClickType.ProductView, "tv")));
        journey.Respond(first.TriggerId, ResponseOutcome.Dismissed, T0 + Hour + 60_000);
        var second = Assert.Single(journey.Apply(Click(3 * Hour, ClickType.ProductView, "tv")));
        Assert.True(second.Fires);
        journey.Tick(T0 + (4 * Hour) + 1);

        var counters = journey.Context.Feedback.Rule("view-nudge");
        Assert.Equal(new FeedbackCounters(Sent: 2, Accepted: 0, Ignored: 2, IgnoredInRow: 2, LastIgnoredMs: T0 + (4 * Hour)), counters);
        Assert.Equal(2, journey.Context.Feedback.Channel("push").IgnoredInRow);

        var fatigued = Assert.Single(journey.Apply(Click(5 * Hour, ClickType.ProductView, "tv")));
        Assert.Equal(SuppressionReason.Fatigue, fatigued.Decision.Suppressed);

        var afterBackOff = Assert.Single(journey.Apply(Click((4 * Hour) + (3 * 24 * Hour), ClickType.ProductView, "tv")));
        Assert.True(afterBackOff.Fires);
        Assert.Equal(ResponseEffect.Accepted, journey.Respond(afterBackOff.TriggerId, ResponseOutcome.Clicked, afterBackOff.TimeMs + 1_000));
        Assert.Equal(ResponseEffect.Unmatched, journey.Respond(afterBackOff.TriggerId, ResponseOutcome.Converted, afterBackOff.TimeMs + 2_000));
        Assert.Equal(new FeedbackCounters(3, 1, 2, 0, T0 + (4 * Hour)), journey.Context.Feedback.Rule("view-nudge"));
    }

    [Fact]
    public void The_same_input_gives_the_same_outcomes_and_ids()
    {
        static List<string> Run()
        {
            var journey = new Journey(BrowseAbandonment, ZoneDwell, CartAfterPush);
            var ids = new List<string>();
            journey.Apply(Profile(0));
            ids.AddRange(journey.Apply(Click(60_000, ClickType.ProductView, "tv", "electronics")).Select(o => o.TriggerId));
            ids.AddRange(journey.InZone("electronics", 100_000, 400_000).Select(o => o.TriggerId));
            ids.AddRange(journey.Tick(T0 + 3_600_000).Select(o => $"{o.Rule.Id}:{o.TriggerId}:{o.Decision.Suppressed}"));
            return ids;
        }

        var first = Run();
        Assert.Equal(2, first.Count);
        Assert.Equal(first, Run());
    }

    private static TriggerRule Rule(
        string id, IReadOnlyList<string> on, string when, TriggerChannel channel = TriggerChannel.Push, TimeSpan? expiry = null, TimeSpan? cooldown = null) =>
        new(id, 1, id, on, Compiler.Compile(when), new HygieneRule(id, channel, 50, cooldown ?? TimeSpan.FromHours(12), RespectsQuietHours: false),
            expiry ?? TimeSpan.FromMinutes(30), "c360.triggers.v1");

    /// <summary>One customer's context and trigger state, taken through events, ticks and responses.</summary>
    private sealed class Journey(TriggerEngine engine)
    {
        private static readonly ContextReducer Reducer = new(new ContextSettings(), Stores);
        private long _offset;

        public Journey(params TriggerRule[] rules)
            : this(new TriggerEngine(new RuleSet(rules, "test"), new HygieneSettings()))
        {
        }

        public Journey(TriggerRule rule, HygieneSettings hygiene)
            : this(new TriggerEngine(new RuleSet([rule], "test"), hygiene))
        {
        }

        public CustomerContext Context { get; private set; } = CustomerContext.Empty("c-1");

        public TriggerState State { get; private set; } = new();

        private long StreamTimeMs { get; set; }

        public IReadOnlyList<RuleOutcome> Apply(ChannelEvent e)
        {
            var before = Context;
            var after = Reducer.Apply(before, e).Context;
            StreamTimeMs = Math.Max(StreamTimeMs, e.EventTimeMs);
            var step = engine.OnEvent(before, after, e, new SourceRef(e.SourceTopic, 0, _offset++, e.EventId), State, StreamTimeMs);
            (Context, State) = (step.Context, step.State);
            return step.Outcomes;
        }

        /// <summary>Beacon sightings in a zone every 15 s over [from, to] (close enough to confirm a zone); the outcomes of all of them.</summary>
        public List<RuleOutcome> InZone(string zone, long fromMs, long toMs)
        {
            var outcomes = new List<RuleOutcome>();
            for (var t = fromMs; t <= toMs; t += 15_000)
            {
                outcomes.AddRange(Apply(Beacon(t, zone)));
            }

            return outcomes;
        }

        public IReadOnlyList<RuleOutcome> Tick(long nowMs, bool decideAtDue = false)
        {
            var step = engine.OnTime(Context, State, nowMs, decideAtDue);
            (Context, State) = (step.Context, step.State);
            return step.Outcomes;
        }

        public ResponseEffect Respond(string triggerId, ResponseOutcome outcome, long timeMs)
        {
            (var effect, Context, State) = TriggerEngine.OnResponse(Context, State, triggerId, outcome, timeMs, out _);
            return effect;
        }
    }
}
