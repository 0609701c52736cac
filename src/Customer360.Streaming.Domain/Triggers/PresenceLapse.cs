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
    public static bool Begins(CustomerContext before, CustomerContext after) => !Present(before) && Present(after);

    /// <summary>Arms the timer for <paramref name="context"/>'s presence, replacing one of an earlier stay.</summary>
    public static TriggerState Arm(TriggerState state, CustomerContext context, SourceRef source, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rest = state with { Timers = state.Timers.RemoveAll(t => t.RuleId == TimerId) };
        return LapsesAtMs(context, timeout) is { } dueMs
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
        if (LapsesAtMs(after, reducer.Settings.StoreVisitTimeout) is { } nextMs)
        {
            rest = rest with { Timers = rest.Timers.Add(timer with { DueMs = nextMs }) };
        }

        // Lapsed when the first part of it did, which the timer's due time need not be: nothing moved it since it was armed.
        return (after, rest, ReferenceEquals(after, context) ? null : new LapsedPresence(timer.Source, LapsesAtMs(context, reducer.Settings.StoreVisitTimeout)!.Value));
    }

    /// <summary>In a store by beacon, or in or near one by GPS: what <see cref="ContextReducer.EndStalePresence"/> may end.</summary>
    private static bool Present(CustomerContext context) =>
        context.InStore.StoreId is not null || context.Location.State is PresenceState.InStore or PresenceState.NearStore;

    /// <summary>
    /// The first moment a part of the presence (a beacon visit, a GPS state in or near a store) would count as lapsed,
    /// as <see cref="ContextReducer.EndStalePresence"/> judges it; null when the customer is in or near no store.
    /// </summary>
    private static long? LapsesAtMs(CustomerContext context, TimeSpan timeout)
    {
        var timeoutMs = (long)timeout.TotalMilliseconds;
        long? dueMs = null;
        if (context.InStore.StoreId is not null)
        {
            dueMs = context.InStore.LastSightingMs + timeoutMs + 1;
        }

        if (context.Location.State is PresenceState.InStore or PresenceState.NearStore)
        {
            var locationDueMs = context.Location.FixTimeMs + timeoutMs + 1;
            dueMs = dueMs is { } visitDueMs ? Math.Min(visitDueMs, locationDueMs) : locationDueMs;
        }

        return dueMs;
    }
}
