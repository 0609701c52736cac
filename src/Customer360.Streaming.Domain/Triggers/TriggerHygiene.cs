using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>Where a trigger is delivered; each needs its own consent.</summary>
public enum TriggerChannel
{
    Push,
    Email,
    Sms,
    InApp,

    /// <summary>To store staff (associate assist): derived from presence, so it needs location consent.</summary>
    Store,
}

/// <summary>Why a trigger whose conditions matched was not sent.</summary>
public enum SuppressionReason
{
    NoConsent,
    Cooldown,
    GroupCooldown,
    DailyCap,
    QuietHours,
    Stale,
    LostArbitration,

    /// <summary>The customer ignored this rule's last sends; backing off.</summary>
    Fatigue,

    /// <summary>The rule proposes offers, and none is valid, consented, eligible and within capacity.</summary>
    NoEligibleOffer,
}

/// <summary>What hygiene needs to know about a rule.</summary>
/// <param name="Group">Rules sharing a group share <paramref name="GroupCooldown"/> (one cart reminder, whichever rule sends it).</param>
/// <param name="MaxEventAge">The source event may be at most this old (against stream time) when the trigger fires.</param>
public sealed record HygieneRule(
    string RuleId,
    TriggerChannel Channel,
    int Priority,
    TimeSpan Cooldown,
    string? Group = null,
    TimeSpan? GroupCooldown = null,
    TimeSpan? MaxEventAge = null,
    bool RespectsQuietHours = true)
{
    /// <summary>Overrides <see cref="HygieneSettings.FatigueAfterIgnored"/> for this rule.</summary>
    public int? FatigueAfterIgnored { get; init; }

    /// <summary>Overrides <see cref="HygieneSettings.FatigueBackOff"/> for this rule.</summary>
    public TimeSpan? FatigueBackOff { get; init; }
}

/// <summary>A rule whose conditions matched the event: a candidate for sending.</summary>
public sealed record TriggerCandidate(HygieneRule Rule, long EventTimeMs)
{
    /// <summary>For a rule proposing an offer: the chosen offer's score, which ranks it among rules of equal priority.</summary>
    public double? Score { get; init; }
}

/// <summary>The decision for one candidate.</summary>
public sealed record HygieneDecision(TriggerCandidate Candidate, SuppressionReason? Suppressed, string Detail)
{
    public bool Fires => Suppressed is null;
}

/// <summary>
/// A customer's trigger state, kept with the customer and committed with each trigger: what was sent (per rule, per
/// group, per day), sequence marks, absence and dwell timers, and sends awaiting a response.
/// </summary>
public sealed record TriggerState
{
    /// <summary>Rule id → time of its last send.</summary>
    public ImmutableSortedDictionary<string, long> LastByRule { get; init; } = OrdinalMap.Empty<long>();

    /// <summary>Group → time of its last send.</summary>
    public ImmutableSortedDictionary<string, long> LastByGroup { get; init; } = OrdinalMap.Empty<long>();

    /// <summary>Sends on the customer's local day <see cref="Day"/> (yyyy-MM-dd), across rules.</summary>
    public string? Day { get; init; }

    public int SentToday { get; init; }

    /// <summary>Time and priority of the last send, for arbitration across events.</summary>
    public long LastSentMs { get; init; } = -1;

    public int LastSentPriority { get; init; }

    /// <summary>Rule id → event time of the latest event that opens its sequence (A of "A then B").</summary>
    public ImmutableSortedDictionary<string, long> SequenceMarks { get; init; } = OrdinalMap.Empty<long>();

    /// <summary>Absence and dwell timers, at most one per rule.</summary>
    public ImmutableList<PendingTimer> Timers { get; init; } = [];

    /// <summary>Sent triggers awaiting a response (bounded, oldest dropped first).</summary>
    public ImmutableList<SentTrigger> Outstanding { get; init; } = [];

    /// <summary>The earliest time something is due (a timer or a response deadline), or −1 when nothing is.</summary>
    public long NextDueMs
    {
        get
        {
            var next = long.MaxValue;
            foreach (var timer in Timers)
            {
                next = timer.Fired ? next : Math.Min(next, timer.DueMs);
            }

            foreach (var sent in Outstanding)
            {
                next = Math.Min(next, sent.DeadlineMs);
            }

            return next == long.MaxValue ? -1 : next;
        }
    }

    /// <summary>Nothing remembered: the state can be deleted.</summary>
    public bool IsEmpty => LastByRule.IsEmpty && LastByGroup.IsEmpty && Day is null && SequenceMarks.IsEmpty && Timers.IsEmpty && Outstanding.IsEmpty;
}

/// <summary>The knobs that hold across rules.</summary>
public sealed record HygieneSettings
{
    /// <summary>At most this many triggers per customer per local day, across all rules.</summary>
    public int DailyCap { get; init; } = 3;

    /// <summary>A trigger within this time after another of equal or higher priority loses to it.</summary>
    public TimeSpan ArbitrationWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A rule is suppressed for a customer who ignored this many of its sends in a row (0 turns fatigue off).</summary>
    public int FatigueAfterIgnored { get; init; } = 3;

    /// <summary>How long a fatigued rule stays quiet after the last ignored send; then it may try once more.</summary>
    public TimeSpan FatigueBackOff { get; init; } = TimeSpan.FromDays(7);

    /// <summary>At most this many sent triggers are tracked per customer while awaiting a response.</summary>
    public int MaxOutstanding { get; init; } = 32;
}

/// <summary>
/// Trigger hygiene as a pure function of the customer's relationship and history: consent per channel (fail closed
/// when unknown), cooldown per rule and per group, a daily cap across rules in the customer's time zone, quiet hours
/// in that time zone (daylight saving included), freshness against stream time, fatigue after ignored sends, and arbitration (the best priority
/// among candidates of one event wins, and a send shortly after a better one loses). Decided by event and stream time
/// only, so a replay decides the same.
/// </summary>
public static class TriggerHygiene
{
    public static (IReadOnlyList<HygieneDecision> Decisions, TriggerState History) Decide(
        IReadOnlyList<TriggerCandidate> candidates, RelationshipProfile? relationship, TriggerState history, long streamTimeMs, HygieneSettings settings,
        FeedbackView? feedback = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(settings);
        var decisions = new List<HygieneDecision>(candidates.Count);
        var passed = new List<TriggerCandidate>();
        foreach (var candidate in candidates)
        {
            var (reason, detail) = Check(candidate, relationship, history, streamTimeMs, settings, feedback);
            if (reason is null)
            {
                passed.Add(candidate);
            }
            else
            {
                decisions.Add(new HygieneDecision(candidate, reason, detail));
            }
        }

        // Best priority first; among equal priorities a rule with a fixed message before one proposing an offer, offers
        // by their score, then the smaller rule id, so the winner never depends on rule order.
        var ranked = passed.OrderByDescending(c => c.Rule.Priority).ThenByDescending(c => c.Score ?? double.PositiveInfinity)
            .ThenBy(c => c.Rule.RuleId, StringComparer.Ordinal).ToList();
        for (var i = 0; i < ranked.Count; i++)
        {
            var candidate = ranked[i];
            if (i > 0)
            {
                decisions.Add(new HygieneDecision(candidate, SuppressionReason.LostArbitration, $"lost to {ranked[0].Rule.RuleId} (priority {ranked[0].Rule.Priority})"));
                continue;
            }

            if (history.LastSentMs >= 0 && candidate.EventTimeMs - history.LastSentMs < (long)settings.ArbitrationWindow.TotalMilliseconds
                && history.LastSentPriority >= candidate.Rule.Priority)
            {
                decisions.Add(new HygieneDecision(candidate, SuppressionReason.LostArbitration, $"a trigger of priority {history.LastSentPriority} was sent {(candidate.EventTimeMs - history.LastSentMs) / 1000} s before"));
                continue;
            }

            decisions.Add(new HygieneDecision(candidate, null, "sent"));
            history = Record(history, candidate, LocalDay(candidate.EventTimeMs, relationship));
        }

        return (decisions, history);
    }

    private static (SuppressionReason?, string) Check(
        TriggerCandidate candidate, RelationshipProfile? relationship, TriggerState history, long streamTimeMs, HygieneSettings settings, FeedbackView? feedback)
    {
        var rule = candidate.Rule;
        var t = candidate.EventTimeMs;
        if (!HasConsent(rule.Channel, relationship?.Consent))
        {
            return (SuppressionReason.NoConsent, relationship is null ? "no relationship profile: consent unknown" : $"no {rule.Channel.ToString().ToLowerInvariant()} consent");
        }

        if (rule.MaxEventAge is { } maxAge && streamTimeMs - t > (long)maxAge.TotalMilliseconds)
        {
            return (SuppressionReason.Stale, $"event is {(streamTimeMs - t) / 1000} s old, the rule allows {maxAge.TotalSeconds:0} s");
        }

        if (history.LastByRule.TryGetValue(rule.RuleId, out var last) && t - last < (long)rule.Cooldown.TotalMilliseconds)
        {
            return (SuppressionReason.Cooldown, $"sent {(t - last) / 1000} s ago, cooldown {rule.Cooldown.TotalSeconds:0} s");
        }

        if (rule.Group is { } group && rule.GroupCooldown is { } groupCooldown
            && history.LastByGroup.TryGetValue(group, out var lastInGroup) && t - lastInGroup < (long)groupCooldown.TotalMilliseconds)
        {
            return (SuppressionReason.GroupCooldown, $"group {group} sent {(t - lastInGroup) / 1000} s ago, cooldown {groupCooldown.TotalSeconds:0} s");
        }

        var fatigueAfter = rule.FatigueAfterIgnored ?? settings.FatigueAfterIgnored;
        if (fatigueAfter > 0 && feedback?.Rule(rule.RuleId) is { } counters && counters.IgnoredInRow >= fatigueAfter
            && t - counters.LastIgnoredMs < (long)(rule.FatigueBackOff ?? settings.FatigueBackOff).TotalMilliseconds)
        {
            return (SuppressionReason.Fatigue, $"{counters.IgnoredInRow} sends in a row ignored, backing off {(rule.FatigueBackOff ?? settings.FatigueBackOff).TotalDays:0.#} d from the last");
        }

        var day = LocalDay(t, relationship);
        if (history.Day == day && history.SentToday >= settings.DailyCap)
        {
            return (SuppressionReason.DailyCap, $"{history.SentToday} sent on {day}, cap {settings.DailyCap}");
        }

        if (rule.RespectsQuietHours && relationship?.QuietHours is { } quiet && InQuietHours(t, quiet, relationship.TimeZone))
        {
            return (SuppressionReason.QuietHours, $"quiet hours {quiet.StartMinute / 60:00}:{quiet.StartMinute % 60:00}-{quiet.EndMinute / 60:00}:{quiet.EndMinute % 60:00} in {relationship.TimeZone}");
        }

        return (null, string.Empty);
    }

    internal static bool HasConsent(TriggerChannel channel, Consent? consent) => consent is not null && channel switch
    {
        TriggerChannel.Push => consent.Push,
        TriggerChannel.Email => consent.Email,
        TriggerChannel.Sms => consent.Sms,
        TriggerChannel.InApp => consent.InApp,
        TriggerChannel.Store => consent.Location,
        _ => false,
    };

    /// <summary>Whether the local time falls in the window; a window whose end is before its start wraps midnight.</summary>
    public static bool InQuietHours(long timeMs, QuietHours quiet, string timeZone)
    {
        ArgumentNullException.ThrowIfNull(quiet);
        var local = Local(timeMs, timeZone);
        var minute = (local.Hour * 60) + local.Minute;
        return quiet.StartMinute <= quiet.EndMinute
            ? minute >= quiet.StartMinute && minute < quiet.EndMinute
            : minute >= quiet.StartMinute || minute < quiet.EndMinute;
    }

    private static string LocalDay(long timeMs, RelationshipProfile? relationship) =>
        Local(timeMs, relationship?.TimeZone ?? "UTC").ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Local time in an IANA zone; an unknown zone counts as UTC rather than failing the customer's events.</summary>
    private static DateTime Local(long timeMs, string timeZone)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(timeMs);
        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
            ? TimeZoneInfo.ConvertTime(utc, zone).DateTime
            : utc.UtcDateTime;
    }

    private static TriggerState Record(TriggerState history, TriggerCandidate sent, string day) => history with
    {
        LastByRule = history.LastByRule.SetItem(sent.Rule.RuleId, sent.EventTimeMs),
        LastByGroup = sent.Rule.Group is { } group ? history.LastByGroup.SetItem(group, sent.EventTimeMs) : history.LastByGroup,
        Day = day,
        SentToday = history.Day == day ? history.SentToday + 1 : 1,
        LastSentMs = sent.EventTimeMs,
        LastSentPriority = sent.Rule.Priority,
    };
}
