using System.Collections.Immutable;
using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>A sequence: the rule's event fires only if one of <paramref name="After"/> happened at most <paramref name="Within"/> before it.</summary>
public sealed record SequenceSpec(IReadOnlyList<string> After, TimeSpan Within);

/// <summary>
/// An absence: the rule's event arms a timer, and the trigger fires when none of <paramref name="Of"/> followed within
/// <paramref name="Within"/>. A later arming event moves the deadline (abandonment is measured from the last activity).
/// </summary>
public sealed record AbsenceSpec(IReadOnlyList<string> Of, TimeSpan Within);

/// <summary>Where a customer can dwell.</summary>
public enum DwellPlace
{
    /// <summary>One zone of a store (beacons).</summary>
    Zone,

    /// <summary>Inside a store (beacons).</summary>
    Store,

    /// <summary>Inside a store's near geofence (GPS).</summary>
    NearStore,
}

/// <summary>A dwell: the trigger fires once the customer has stayed <paramref name="For"/> in one place, once per stay.</summary>
public sealed record DwellSpec(DwellPlace In, TimeSpan For);

/// <summary>The <c>on:</c> patterns of a rule: an event kind (<c>beacon</c>) or a kind and action (<c>beacon.enter</c>).</summary>
public static class EventPatterns
{
    /// <remarks>Asked per rule for every event: the list is walked by index, as an interface's enumerator would be allocated each time.</remarks>
    public static bool Matches(IReadOnlyList<string> patterns, string kind, string? action)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i];
            if (pattern == kind
                || (action is not null && pattern.Length == kind.Length + 1 + action.Length && pattern.StartsWith(kind, StringComparison.Ordinal)
                    && pattern[kind.Length] == '.' && pattern.EndsWith(action, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Why a timer is pending.</summary>
public enum TimerKind
{
    Absence,
    Dwell,

    /// <summary>Not a rule's: ends a store presence nobody renewed (<see cref="PresenceLapse"/>).</summary>
    PresenceLapse,
}

/// <summary>
/// A rule timer of one customer, kept in the trigger state (so it survives restarts and is committed with the event
/// that armed it). <paramref name="Source"/> is the arming event: the trigger id derives from it, so the trigger gets
/// the same id whichever way it fires.
/// </summary>
/// <param name="Place">For a dwell: the place (<c>store/zone</c>, <c>store</c>) the customer must still be in.</param>
/// <param name="Fired">For a dwell: already fired during this stay (kept until the place changes, so it fires once).</param>
public sealed record PendingTimer(
    string RuleId,
    TimerKind Kind,
    long DueMs,
    SourceRef Source,
    string? Place,
    ImmutableList<ConditionTrace> Explanation,
    bool Fired = false);

/// <summary>A sent trigger awaiting a response; past its deadline without an accepting response it counts as ignored.</summary>
/// <param name="OfferId">The offer it carried (null for a rule without offers).</param>
/// <param name="Segment">The segment the offer was chosen in: the arm its response teaches.</param>
public sealed record SentTrigger(string TriggerId, string RuleId, TriggerChannel Channel, long SentMs, long DeadlineMs, string? OfferId = null, string? Segment = null);
