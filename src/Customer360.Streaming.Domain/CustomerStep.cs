using Customer360.Streaming.Domain.Context;
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
}

/// <summary>
/// One customer's step, pure: (context, trigger state, input) → (context′, trigger state′, what to publish), where the
/// input is a channel event, a response to a trigger, or a tick of time. The context processor decodes the input,
/// calls one of these, and encodes what comes back. Nothing here reads a clock or a store: time comes with the input,
/// and the trigger state is asked for (<c>loadState</c>, by context id) only when a rule concerns the event.
/// </summary>
public static class CustomerStep
{
    /// <param name="engine">The rules in force, or null to keep contexts without triggers.</param>
    /// <param name="streamTimeMs">The task's stream time; rules judge the event at the later of it and the event's time.</param>
    public static CustomerStepResult OnEvent(
        ContextReducer reducer, TriggerEngine? engine, CustomerContext context, Func<string, TriggerState> loadState, ChannelEvent channelEvent, SourceRef source, long streamTimeMs)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(loadState);
        var reduction = reducer.Apply(context, channelEvent, source);
        if (reduction.Outcome != ReductionOutcome.Applied)
        {
            return CustomerStepResult.Unchanged(reduction.Outcome, context);
        }

        var after = reduction.Context;
        var presence = PresenceChanges.Between(context, after);
        var pushAnswer = channelEvent as AppEvent is { TriggerId: not null, Type: AppEventType.PushOpened or AppEventType.PushDismissed } app ? app : null;
        if (engine is null || !after.Known || (pushAnswer is null && !engine.Concerns(RuleVariables.KindOf(channelEvent), RuleVariables.ActionOf(channelEvent))))
        {
            return new CustomerStepResult(ReductionOutcome.Applied, after, null, [], presence, null, false);
        }

        var loaded = loadState(after.ContextId);
        var state = loaded;
        var current = after;
        ResponseEffect? response = null;
        if (pushAnswer is not null)
        {
            // The app reports what happened to a push itself: the same join as a response on the responses topic.
            var outcome = pushAnswer.Type == AppEventType.PushOpened ? ResponseOutcome.Opened : ResponseOutcome.Dismissed;
            (var effect, current, state) = TriggerEngine.OnResponse(current, state, pushAnswer.TriggerId!, outcome, pushAnswer.EventTimeMs);
            response = effect;
        }

        var step = engine.OnEvent(context, current, channelEvent, source, state, Math.Max(streamTimeMs, channelEvent.EventTimeMs));
        var stateChanged = step.StateChanged || !ReferenceEquals(loaded, state);
        return stateChanged || step.Outcomes.Count > 0
            ? new CustomerStepResult(ReductionOutcome.Applied, step.Context, stateChanged ? step.State : null, step.Outcomes, presence, response, true)
            : new CustomerStepResult(ReductionOutcome.Applied, after, null, [], presence, response, true);
    }

    /// <summary>A response from the responses topic, joined by trigger id to the send it answers.</summary>
    public static CustomerStepResult OnResponse(CustomerContext context, TriggerState state, TriggerResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (effect, next, after) = TriggerEngine.OnResponse(context, state, response.TriggerId, response.Outcome, response.EventTimeMs);
        return effect is ResponseEffect.Unmatched or ResponseEffect.Waiting
            ? CustomerStepResult.Unchanged(ReductionOutcome.Applied, context) with { Response = effect }
            : new CustomerStepResult(ReductionOutcome.Applied, next, after, [], [], effect, false);
    }

    /// <summary>Time reached <paramref name="nowMs"/>: due absence and dwell timers fire, response deadlines pass.</summary>
    /// <param name="decideAtDue">Judge hygiene at each timer's due time (stream time), rather than at <paramref name="nowMs"/> (wall clock).</param>
    public static CustomerStepResult OnTick(TriggerEngine engine, CustomerContext context, TriggerState state, long nowMs, bool decideAtDue)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var step = engine.OnTime(context, state, nowMs, decideAtDue);
        return new CustomerStepResult(ReductionOutcome.Applied, step.ContextChanged ? step.Context : context, step.State, step.Outcomes, [], null, false);
    }
}
