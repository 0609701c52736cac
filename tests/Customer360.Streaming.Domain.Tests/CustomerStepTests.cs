using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using static Customer360.Streaming.Domain.Tests.Context.Events;

namespace Customer360.Streaming.Domain.Tests;

/// <summary>
/// One customer's step: (context, trigger state, input) → (context′, trigger state′, what to publish), for an event,
/// a response and a tick. Pure: the same input gives the same result, and the trigger state is read only when needed.
/// </summary>
public sealed class CustomerStepTests
{
    private static readonly RuleCompiler<RuleScope> Compiler = new(RuleVariables.All);
    private static readonly ContextReducer Reducer = new(new ContextSettings(), Stores);

    private static readonly TriggerRule CartReminder = new(
        "cart-reminder", 1, "cart-reminder", ["click.add_to_cart"], Compiler.Compile("context.cart.value > 0"),
        new HygieneRule("cart-reminder", TriggerChannel.Push, 50, TimeSpan.FromHours(12), RespectsQuietHours: false), TimeSpan.FromMinutes(30), "c360.triggers.v1");

    private static readonly TriggerRule BrowseAbandonment = new(
        "browse-abandonment", 1, "browse-abandonment", ["click.product_view"], Compiler.Compile("relationship.consent.push"),
        new HygieneRule("browse-abandonment", TriggerChannel.Push, 50, TimeSpan.FromHours(12), RespectsQuietHours: false), TimeSpan.FromMinutes(30), "c360.triggers.v1")
    {
        Absence = new AbsenceSpec(["click.add_to_cart"], TimeSpan.FromMinutes(30)),
    };

    private static readonly TriggerEngine Engine = new(new RuleSet([CartReminder, BrowseAbandonment], "test"), new HygieneSettings());

    public static TheoryData<string, bool, string, ReductionOutcome, bool, int, string[]> Events => new()
    {
        // name, with rules, input, reduction, rules evaluated, outcomes, presence changes
        { "a beacon without rules: presence only", false, "beacon", ReductionOutcome.Applied, false, 0, ["Entered berlin-mitte entrance"] },
        { "a beacon no rule listens to, entering: the trigger state is read only to arm the presence's timer", true, "beacon", ReductionOutcome.Applied, false, 0, ["Entered berlin-mitte entrance"] },
        { "a sighting no rule listens to, during a stay: the trigger state is not read", true, "sighting", ReductionOutcome.Applied, false, 0, [] },
        { "an add to cart: the reminder fires", true, "add_to_cart", ReductionOutcome.Applied, true, 1, [] },
        { "an event older than the grace period", true, "late", ReductionOutcome.Late, false, 0, [] },
    };

    [Fact]
    public void The_group_an_event_changes_names_the_input_record_it_came_in_topic_partition_and_offset()
    {
        var context = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var beacon = Beacon(60_000, "entrance", SightingType.Enter);

        var result = CustomerStep.OnEvent(Reducer, null, context, _ => new TriggerState(), beacon, new SourceRef(beacon.SourceTopic, 4, 1_234, beacon.EventId), 0);

        var provenance = result.Context.Provenance["inStore"];
        Assert.Equal((beacon.SourceTopic, 4, 1_234L, beacon.EventTimeMs), (provenance.SourceTopic, provenance.Partition, provenance.Offset, provenance.EventTimeMs));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void OnEvent(string name, bool withRules, string input, ReductionOutcome reduction, bool rulesEvaluated, int outcomes, string[] presence)
    {
        var known = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var context = input switch
        {
            "late" => Reducer.Apply(known, Click(5 * 3_600_000, ClickType.ProductView, "tv", "electronics")).Context,
            "sighting" => Reducer.Apply(known, Beacon(30_000, "entrance", SightingType.Enter)).Context,
            _ => known,
        };
        ChannelEvent channelEvent = input switch
        {
            "beacon" => Beacon(60_000, "entrance", SightingType.Enter),
            "sighting" => Beacon(60_000, "electronics", SightingType.Dwell),
            "add_to_cart" => Click(60_000, ClickType.AddToCart, "tv", "electronics", cart: 499m),
            _ => Click(60_000, ClickType.ProductView, "tv", "electronics"),
        };
        var stateReads = 0;

        var result = CustomerStep.OnEvent(Reducer, withRules ? Engine : null, context, _ => { stateReads++; return new TriggerState(); }, channelEvent, Source(channelEvent), 0);

        Assert.True(reduction == result.Reduction, $"{name}: {result.Reduction}");
        Assert.Equal(rulesEvaluated, result.RulesEvaluated);
        var armsPresenceTimer = withRules && presence.Any(p => p.StartsWith("Entered", StringComparison.Ordinal));
        Assert.Equal(rulesEvaluated || armsPresenceTimer ? 1 : 0, stateReads);
        Assert.Equal(outcomes, result.Outcomes.Count);
        Assert.Equal(presence, result.Presence.Select(p => $"{p.Kind} {p.StoreId} {p.ZoneId}"));
        Assert.Equal(outcomes > 0 || armsPresenceTimer, result.State is not null);
        Assert.Equal(armsPresenceTimer, result.State?.Timers.Any(t => t.Kind == TimerKind.PresenceLapse) == true);
        if (reduction != ReductionOutcome.Applied)
        {
            Assert.Same(context, result.Context);
        }
    }

    [Fact]
    public void TheSameEventTwice_GivesTheSameDecisions()
    {
        var context = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var click = Click(60_000, ClickType.AddToCart, "tv", "electronics", cart: 499m);

        var first = CustomerStep.OnEvent(Reducer, Engine, context, _ => new TriggerState(), click, Source(click), 0);
        var second = CustomerStep.OnEvent(Reducer, Engine, context, _ => new TriggerState(), click, Source(click), 0);

        Assert.Equal(first.Outcomes.Select(o => (o.TriggerId, o.Fires, o.TimeMs)), second.Outcomes.Select(o => (o.TriggerId, o.Fires, o.TimeMs)));
        Assert.Equal(ContextJson.Serialize(first.Context), ContextJson.Serialize(second.Context));
    }

    [Fact]
    public void A_ResponseToASentTrigger_ChangesFeedbackAndState_AnUnknownOneChangesNothing()
    {
        var context = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var click = Click(60_000, ClickType.AddToCart, "tv", "electronics", cart: 499m);
        var sent = CustomerStep.OnEvent(Reducer, Engine, context, _ => new TriggerState(), click, Source(click), 0);
        var triggerId = Assert.Single(sent.Outcomes).TriggerId;

        var answered = CustomerStep.OnResponse(sent.Context, sent.State!, Response(triggerId, ResponseOutcome.Clicked));
        var unknown = CustomerStep.OnResponse(sent.Context, sent.State!, Response("no-such-trigger", ResponseOutcome.Clicked));

        Assert.Equal(ResponseEffect.Accepted, answered.Response);
        Assert.NotSame(sent.Context, answered.Context);
        Assert.NotNull(answered.State);
        Assert.Empty(answered.State!.Outstanding);
        Assert.Equal(ResponseEffect.Unmatched, unknown.Response);
        Assert.Same(sent.Context, unknown.Context);
        Assert.Null(unknown.State);
    }

    [Fact]
    public void A_Tick_FiresWhatTimeAloneBringsDue()
    {
        var context = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var view = Click(60_000, ClickType.ProductView, "tv", "electronics");
        var viewed = CustomerStep.OnEvent(Reducer, Engine, context, _ => new TriggerState(), view, Source(view), 0);

        var early = CustomerStep.OnTick(Reducer, Engine, viewed.Context, viewed.State!, T0 + 60_000 + (29 * 60_000), decideAtDue: true);
        var due = CustomerStep.OnTick(Reducer, Engine, viewed.Context, viewed.State!, T0 + 60_000 + (30 * 60_000), decideAtDue: true);

        Assert.Empty(early.Outcomes);
        Assert.Equal("browse-abandonment", Assert.Single(due.Outcomes, o => o.Fires).Rule.Id);
        Assert.Empty(due.State!.Timers);
    }

    [Fact]
    public void A_visit_with_no_sighting_for_longer_than_the_visit_timeout_has_ended_and_the_next_sighting_there_is_an_entry()
    {
        // Beacons miss exits (the app killed, a phone off): such a customer stayed "in store" for good, on the store
        // page and in Redis's presence, and an arrival rule (before.inStore.store != event.store) never fired for
        // them at that store again.
        // Day one: entered, dwelled, no exit seen. Later that day: a click from home. Day two: back at the same store.
        var (context, steps) = Steps(
            Arrival("beacon.enter", "before.inStore.store != event.store"),
            Beacon(60_000, "entrance", SightingType.Enter), Beacon(90_000, "electronics", proximity: Proximity.Immediate),
            Click(90_000 + VisitTimeoutMs + 1, ClickType.PageView), Beacon(86_400_000, "entrance", SightingType.Enter));

        Assert.Equal(["Entered berlin-mitte entrance", "Dwelling berlin-mitte electronics", "Left berlin-mitte electronics", "Entered berlin-mitte entrance"],
            steps.SelectMany(s => s.Presence).Select(p => $"{p.Kind} {p.StoreId} {p.ZoneId}"));
        Assert.Equal([true, false, false, true], steps.Select(s => s.Outcomes.Any(o => o.Fires)));
        Assert.Equal(T0 + 86_400_000, context.InStore.EnteredStoreMs);
        Assert.Equal(["entrance"], context.InStore.ZonesVisited);

        // Within the timeout the visit goes on: no leave, no second arrival.
        var stillInside = Reducer.Apply(steps[1].Context, Beacon(90_000 + VisitTimeoutMs, "entrance", SightingType.Enter)).Context;
        Assert.Equal(T0 + 60_000, stillInside.InStore.EnteredStoreMs);
    }

    [Fact]
    public void A_store_presence_from_GPS_not_renewed_within_the_visit_timeout_has_lapsed_and_the_next_fix_there_is_an_arrival()
    {
        // The app reports fixes while it is open: a customer last placed in the store by a fix, the app closed since,
        // stayed 'in_store' until their next fix, and walking in again a week later was no arrival for the rules.
        var (context, steps) = Steps(
            Arrival("location", "context.location.state == 'in_store' and before.location.state != 'in_store'"),
            Fix(60_000, 0), Fix(60_000 + VisitTimeoutMs, 0), Fix(7 * 86_400_000L, 0));

        // Within the timeout the stay goes on; a week later the fix is an arrival.
        Assert.Equal([true, false, true], steps.Select(s => s.Outcomes.Any(o => o.Fires)));
        Assert.Equal((PresenceState.InStore, T0 + (7 * 86_400_000L)), (context.Location.State, context.Location.StateSinceMs));
    }

    private static readonly long VisitTimeoutMs = (long)new ContextSettings().StoreVisitTimeout.TotalMilliseconds;

    /// <summary>A rule with no cooldown that fires on <paramref name="on"/> when <paramref name="when"/> holds.</summary>
    private static TriggerRule Arrival(string on, string when) => new(
        "arrival", 1, "arrival", [on], Compiler.Compile(when),
        new HygieneRule("arrival", TriggerChannel.Push, 50, TimeSpan.Zero, RespectsQuietHours: false), TimeSpan.FromMinutes(15), "c360.triggers.v1");

    /// <summary>A known customer's steps through <paramref name="events"/> with <paramref name="rule"/> alone in force, each at its own time.</summary>
    private static (CustomerContext Context, List<CustomerStepResult> Steps) Steps(TriggerRule rule, params ChannelEvent[] events)
    {
        var engine = new TriggerEngine(new RuleSet([rule], "test"), new HygieneSettings());
        var context = Reducer.Apply(CustomerContext.Empty("c-1"), Profile(0)).Context;
        var state = new TriggerState();
        var steps = new List<CustomerStepResult>();
        foreach (var e in events)
        {
            var step = CustomerStep.OnEvent(Reducer, engine, context, _ => state, e, Source(e), e.EventTimeMs);
            steps.Add(step);
            (context, state) = (step.Context, step.State ?? state);
        }

        return (context, steps);
    }

    private static SourceRef Source(ChannelEvent e) => new(e.SourceTopic, 0, e.EventTimeMs, e.EventId);

    private static TriggerResponse Response(string triggerId, ResponseOutcome outcome) =>
        new(Guid.NewGuid(), T0 + 120_000, "c360.trigger-responses.v1", triggerId, "c-1", outcome);
}
