using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>When a presence that lapsed for want of renewal ended, and the event that began the stay (its store event's id derives from it).</summary>
public sealed record LapsedPresence(SourceRef Source, long AtMs);

/// <summary>
/// The timer that ends a store presence nobody renews. Beacons miss exits and the app sends fixes only while it runs,
/// so a customer whose leaving went unseen stayed in the store (in Redis, on the store page) until their next event,
/// which may never come. When a presence begins, a timer is armed in the customer's trigger state for the moment it
/// could lapse (<see cref="ContextSettings.StoreVisitTimeout"/> after the last sighting or fix); then the presence ends
/// if nothing renewed it, or the timer moves on to when it could lapse next. Kept beside the rule timers, it survives
/// restarts and fires by stream time, or by the wall clock while the partition is idle, as they do.
/// </summary>
public static class PresenceLapse
{
    /// <summary>The timer's id among the rule timers; no rule can have it (rule ids start with a letter or digit).</summary>
    public const string TimerId = "~store-presence";

    /// <summary>True when <paramref name="after"/> places the customer in or near a store and <paramref name="before"/> did not.</summary>
    public static bool Begins(ContextReducer reducer, CustomerContext before, CustomerContext after)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return reducer.PresenceLapsesAtMs(before) is null && reducer.PresenceLapsesAtMs(after) is not null;
    }

    /// <summary>Arms the timer for <paramref name="context"/>'s presence, replacing one of an earlier stay.</summary>
    public static TriggerState Arm(ContextReducer reducer, TriggerState state, CustomerContext context, SourceRef source)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(state);
        var rest = state with { Timers = state.Timers.RemoveAll(t => t.RuleId == TimerId) };
        return reducer.PresenceLapsesAtMs(context) is { } dueMs
            ? rest with { Timers = rest.Timers.Add(new PendingTimer(TimerId, TimerKind.PresenceLapse, dueMs, source, null, [])) }
            : rest;
    }

    /// <summary>
    /// At <paramref name="nowMs"/>: when the timer is due, ends the presence that was not renewed (the context the
    /// customer's step goes on with) and moves the timer to when what remains could lapse, or drops it.
    /// </summary>
    public static (CustomerContext Context, TriggerState State, LapsedPresence? Lapsed) OnTime(
        ContextReducer reducer, CustomerContext context, TriggerState state, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        ArgumentNullException.ThrowIfNull(state);
        var timer = state.Timers.Find(t => t.RuleId == TimerId);
        if (timer is null || timer.DueMs > nowMs)
        {
            return (context, state, null);
        }

        var after = reducer.EndStalePresence(context, nowMs);
        var rest = state with { Timers = state.Timers.Remove(timer) };
        if (reducer.PresenceLapsesAtMs(after) is { } nextMs)
        {
            rest = rest with { Timers = rest.Timers.Add(timer with { DueMs = nextMs }) };
        }

        // Lapsed when the first part of it did, which the timer's due time need not be: nothing moved it since it was armed.
        return (after, rest, ReferenceEquals(after, context) ? null : new LapsedPresence(timer.Source, reducer.PresenceLapsesAtMs(context)!.Value));
    }
}
