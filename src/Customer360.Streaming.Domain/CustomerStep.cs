using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain;

/// <summary>What one step did to a customer, and what it asks to be published.</summary>
/// <param name="Reduction">For an event, whether the reducer applied it; a response or a tick always applies.</param>
/// <param name="Context">The context after the step: the same instance when the step changed nothing.</param>
/// <param name="State">The trigger state to keep, or null when it did not change.</param>
/// <param name="Outcomes">Each rule decision: fired, or held back and why, with its explanation.</param>
/// <param name="Presence">How the customer's presence in a store changed.</param>
/// <param name="Response">What a response (on the responses topic, or reported by the app) did to its trigger.</param>
/// <param name="RulesEvaluated">The event concerned a rule, so rules ran (most events concern none; then the trigger state is not even read).</param>
public sealed record CustomerStepResult(
    ReductionOutcome Reduction,
    CustomerContext Context,
    TriggerState? State,
    IReadOnlyList<RuleOutcome> Outcomes,
    IReadOnlyList<PresenceChange> Presence,
    ResponseEffect? Response,
    bool RulesEvaluated)
{
    public static CustomerStepResult Unchanged(ReductionOutcome reduction, CustomerContext context) => new(reduction, context, null, [], [], null, false);

    /// <summary>Segments the customer entered or left in this step.</summary>
    public IReadOnlyList<SegmentChange> Segments { get; init; } = [];

    /// <summary>Offers sent in this step (the ledger counts them against capacity and exploration).</summary>
    public IReadOnlyList<OfferSend> OfferSends { get; init; } = [];

    /// <summary>Responses to offers in this step: what their arms learn.</summary>
    public IReadOnlyList<OfferOutcome> OfferOutcomes { get; init; } = [];

    /// <summary>At a tick: the presence that lapsed for want of renewal, which <see cref="Presence"/> reports as left.</summary>
    public LapsedPresence? Lapsed { get; init; }
}

/// <summary>
/// One customer's step, pure: (context, trigger state, input) → (context′, trigger state′, what to publish), where the
/// input is a channel event, a response to a trigger, or a tick of time. The context processor decodes the input,
/// calls one of these, and encodes what comes back. Nothing here reads a clock or a store: time comes with the input,
/// and the trigger state is asked for (<c>loadState</c>, by context id) only when a rule concerns the event. After
/// every step that changes a known customer's context, the segments are judged again, before the rules see it.
/// </summary>
public static class CustomerStep
{
    /// <param name="engine">The rules in force, or null to keep contexts without triggers.</param>
    /// <param name="streamTimeMs">The task's stream time; rules judge the event at the later of it and the event's time.</param>
    /// <param name="ledger">What the task learned and spent on offers.</param>
    public static CustomerStepResult OnEvent(
        ContextReducer reducer, TriggerEngine? engine, CustomerContext context, Func<string, TriggerState> loadState, ChannelEvent channelEvent, SourceRef source, long streamTimeMs,
        IOfferLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(loadState);
        // A store presence that lapsed before the event ended there, and the event applies to that: store staff are told
        // of the leave, and rules see a customer who was not in the store before this event. Nothing is kept unless the
        // event applies.
        var before = reducer.EndStalePresence(context, channelEvent.EventTimeMs);
        var reduction = reducer.Apply(before, channelEvent, source);
        if (reduction.Outcome != ReductionOutcome.Applied)
        {
            return CustomerStepResult.Unchanged(reduction.Outcome, context);
        }

        var after = reduction.Context;
        var presence = ReferenceEquals(before, context)
            ? PresenceChanges.Between(context, after)
            : [.. PresenceChanges.Between(context, before), .. PresenceChanges.Between(before, after)];
        var now = Math.Max(streamTimeMs, channelEvent.EventTimeMs);
        IReadOnlyList<SegmentChange> segments = [];
        if (engine is not null && after.Known)
        {
            (after, segments) = SegmentMembership.Judge(engine.Rules.Segments, after, now);
        }

        // A stay begins: its presence gets the timer that ends it should nothing renew it (rules or not, known or not).
        var armsLapse = engine is not null && PresenceLapse.Begins(reducer, before, after);
        var pushAnswer = channelEvent as AppEvent is { TriggerId: not null, Type: AppEventType.PushOpened or AppEventType.PushDismissed } app ? app : null;
        if (engine is null || !after.Known || (pushAnswer is null && !engine.Concerns(RuleVariables.KindOf(channelEvent), RuleVariables.ActionOf(channelEvent))))
        {
            var armed = armsLapse ? PresenceLapse.Arm(reducer, loadState(after.ContextId), after, source) : null;
            return new CustomerStepResult(ReductionOutcome.Applied, after, armed, [], presence, null, false) { Segments = segments };
        }

        var loaded = loadState(after.ContextId);
        var state = loaded;
        var current = after;
        ResponseEffect? response = null;
        OfferOutcome? learned = null;
        if (pushAnswer is not null)
        {
            // The app reports what happened to a push itself: the same join as a response on the responses topic.
            var outcome = pushAnswer.Type == AppEventType.PushOpened ? ResponseOutcome.Opened : ResponseOutcome.Dismissed;
            (var effect, current, state) = TriggerEngine.OnResponse(current, state, pushAnswer.TriggerId!, outcome, pushAnswer.EventTimeMs, out learned);
            response = effect;
            if (!ReferenceEquals(current, after))
            {
                // The feedback counters moved: a segment over them may have changed.
                (current, var moved) = SegmentMembership.Judge(engine.Rules.Segments, current, now);
                segments = [.. segments, .. moved];
            }
        }

        var step = engine.OnEvent(before, current, channelEvent, source, state, now, ledger);
        var stateChanged = step.StateChanged || !ReferenceEquals(loaded, state) || armsLapse;
        var nextState = armsLapse ? PresenceLapse.Arm(reducer, step.State, after, source) : step.State;
        var result = stateChanged || step.Outcomes.Count > 0
            ? new CustomerStepResult(ReductionOutcome.Applied, step.Context, stateChanged ? nextState : null, step.Outcomes, presence, response, true)
            : new CustomerStepResult(ReductionOutcome.Applied, current, null, [], presence, response, true);
        return result with { Segments = segments, OfferSends = step.OfferSends, OfferOutcomes = learned is null ? [] : [learned] };
    }

    /// <summary>A response from the responses topic, joined by trigger id to the send it answers.</summary>
    /// <param name="segments">The declared segments, judged again when the response moved the feedback counters.</param>
    public static CustomerStepResult OnResponse(CustomerContext context, TriggerState state, TriggerResponse response, IReadOnlyList<SegmentDefinition>? segments = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (effect, next, after) = TriggerEngine.OnResponse(context, state, response.TriggerId, response.Outcome, response.EventTimeMs, out var learned);
        if (effect is ResponseEffect.Unmatched or ResponseEffect.Waiting)
        {
            return CustomerStepResult.Unchanged(ReductionOutcome.Applied, context) with { Response = effect };
        }

        var (judged, moved) = segments is null || ReferenceEquals(next, context) ? (next, []) : SegmentMembership.Judge(segments, next, response.EventTimeMs);
        return new CustomerStepResult(ReductionOutcome.Applied, judged, after, [], [], effect, false) { Segments = moved, OfferOutcomes = learned is null ? [] : [learned] };
    }

    /// <summary>Time reached <paramref name="nowMs"/>: due absence and dwell timers fire, response deadlines pass.</summary>
    /// <param name="decideAtDue">Judge hygiene at each timer's due time (stream time), rather than at <paramref name="nowMs"/> (wall clock).</param>
    public static CustomerStepResult OnTick(
        ContextReducer reducer, TriggerEngine engine, CustomerContext context, TriggerState state, long nowMs, bool decideAtDue, IOfferLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        // A presence nobody renewed ends first, so a dwell timer due at the same time finds the customer gone.
        var (present, lapseState, lapsed) = PresenceLapse.OnTime(reducer, context, state, nowMs);
        var step = engine.OnTime(present, lapseState, nowMs, decideAtDue, ledger);
        var (after, moved) = step.ContextChanged || lapsed is not null ? SegmentMembership.Judge(engine.Rules.Segments, step.Context, nowMs) : (context, []);
        return new CustomerStepResult(ReductionOutcome.Applied, after, step.State, step.Outcomes, PresenceChanges.Between(context, present), null, false)
        {
            Segments = moved,
            OfferSends = step.OfferSends,
            OfferOutcomes = step.OfferOutcomes,
            Lapsed = lapsed,
        };
    }
}
