using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>One matched evaluation and what hygiene decided about it.</summary>
/// <param name="Source">The event the trigger stems from (for a timer: the event that armed it).</param>
/// <param name="TimeMs">When it fired: the event's time, or the timer's due time.</param>
public sealed record RuleOutcome(TriggerRule Rule, HygieneDecision Decision, IReadOnlyList<ConditionTrace> Explanation, SourceRef Source, long TimeMs, string TriggerId)
{
    public bool Fires => Decision.Fires;

    /// <summary>For a rule proposing offers: the offer chosen, its rivals and why (sent only if the rule fires).</summary>
    public OfferChoice? Offer { get; init; }
}

/// <summary>The result of one step: what the rules decided, and the customer's trigger state and context after it.</summary>
/// <param name="StateChanged">The trigger state differs from before and must be stored.</param>
public sealed record TriggerStep(IReadOnlyList<RuleOutcome> Outcomes, TriggerState State, CustomerContext Context, bool StateChanged)
{
    public bool ContextChanged { get; init; }

    /// <summary>Offers sent in this step, for the ledger to count.</summary>
    public IReadOnlyList<OfferSend> OfferSends { get; init; } = [];

    /// <summary>Offers whose response deadline passed in this step: ignored, for their arms to learn.</summary>
    public IReadOnlyList<OfferOutcome> OfferOutcomes { get; init; } = [];
}

/// <summary>What a response did to the feedback of its trigger.</summary>
public enum ResponseEffect
{
    /// <summary>No sent trigger with that id is awaiting a response (unknown, already answered, or past its deadline).</summary>
    Unmatched,

    /// <summary>Delivered: still waiting for the customer.</summary>
    Waiting,
    Accepted,
    Ignored,

    /// <summary>The channel failed to deliver it: counted for nobody.</summary>
    Failed,
}

/// <summary>
/// The rules of one rule set over one customer, as pure functions of the context, the trigger state and time:
/// plain rules fire on their event; sequences need an earlier event within a time; absences and dwells arm timers
/// that fire by time alone; responses feed back into fatigue and the acceptance counters. The same inputs give the
/// same outcomes and ids. A rule proposing offers first gets its offer chosen (<see cref="OfferArbitration"/>), then
/// goes through hygiene on the offer's channel.
/// </summary>
public sealed class TriggerEngine(RuleSet rules, HygieneSettings hygiene, DecisioningSettings? decisioning = null)
{
    private readonly DecisioningSettings _decisioning = decisioning ?? new DecisioningSettings();

    private readonly Dictionary<string, TriggerRule> _byId = rules.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string? Action), bool> _concerns = [];

    public RuleSet Rules { get; } = rules;

    /// <summary>
    /// Whether an event of this kind and action can change anything for any rule: fire it, arm or cancel its timer,
    /// open its sequence, or move a customer's place for a dwell (beacons, GPS, and consent, which can clear presence).
    /// Every other event leaves the outcomes and the trigger state as they are, so callers may skip it.
    /// </summary>
    public bool Concerns(string kind, string? action)
    {
        if (!_concerns.TryGetValue((kind, action), out var concerns))
        {
            concerns = Rules.Rules.Any(r => r.Listens(kind, action)
                || (r.Absence is { } absence && EventPatterns.Matches(absence.Of, kind, action))
                || (r.Sequence is { } sequence && EventPatterns.Matches(sequence.After, kind, action))
                || (r.Dwell is not null && kind is "beacon" or "location" or "relationship"));
            _concerns[(kind, action)] = concerns;
        }

        return concerns;
    }

    /// <summary>Evaluates the rules after <paramref name="after"/> took in <paramref name="e"/>.</summary>
    /// <param name="ledger">What the task has learned and spent on offers (none: nothing learned, no capacity limits).</param>
    public TriggerStep OnEvent(CustomerContext before, CustomerContext after, ChannelEvent e, SourceRef source, TriggerState state, long streamTimeMs, IOfferLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(state);
        var kind = RuleVariables.KindOf(e);
        var action = RuleVariables.ActionOf(e);
        var scope = new RuleScope(after, before, e, streamTimeMs);
        var candidates = new List<Candidate>();
        var initial = state;
        foreach (var rule in Rules.Rules)
        {
            var listens = rule.Listens(kind, action);
            if (rule.Absence is { } absence)
            {
                if (EventPatterns.Matches(absence.Of, kind, action) && TimerOf(state, rule.Id) is { } armed && e.EventTimeMs <= armed.DueMs)
                {
                    state = WithoutTimer(state, rule.Id);
                }

                if (listens && rule.When.ExplainIfTrue(scope) is { } explanation)
                {
                    state = WithTimer(state, new PendingTimer(rule.Id, TimerKind.Absence, e.EventTimeMs + (long)absence.Within.TotalMilliseconds, source, null, [.. explanation]));
                }
            }
            else if (rule.Dwell is { } dwell)
            {
                state = OnDwellEvent(rule, dwell, after, e, source, scope, listens, state, candidates);
            }
            else if (listens && rule.When.ExplainIfTrue(scope) is { } explanation)
            {
                if (rule.Sequence is not { } sequence)
                {
                    candidates.Add(new Candidate(rule, explanation, source, e.EventTimeMs, scope));
                }
                else if (SequenceTrace(rule, sequence, state, e.EventTimeMs) is { Result: true } trace)
                {
                    candidates.Add(new Candidate(rule, [.. explanation, trace], source, e.EventTimeMs, scope));
                }
            }

            if (rule.Sequence is { } opens && EventPatterns.Matches(opens.After, kind, action)
                && (!state.SequenceMarks.TryGetValue(rule.Id, out var mark) || mark < e.EventTimeMs))
            {
                state = state with { SequenceMarks = state.SequenceMarks.SetItem(rule.Id, e.EventTimeMs) };
            }
        }

        var pending = new PendingOfferLedger(ledger ?? EmptyOfferLedger.Instance);
        return Decide(candidates, after, state, streamTimeMs, !ReferenceEquals(initial, state), pending) with { OfferSends = pending.Sends };
    }

    /// <summary>Fires what is due at <paramref name="nowMs"/>: absence and dwell timers, and response deadlines (ignored sends).</summary>
    /// <param name="decideAtDue">
    /// Stream time: each timer is decided as of its due time, as if the stream had ticked exactly then (stream time
    /// jumps over quiet stretches; that is not lateness). Wall clock: decided at <paramref name="nowMs"/>, so a timer
    /// fired late because the processor was down is judged by the rules' freshness guard.
    /// </param>
    public TriggerStep OnTime(CustomerContext context, TriggerState state, long nowMs, bool decideAtDue = false, IOfferLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(state);
        var initialContext = context;
        var candidates = new List<Candidate>();
        foreach (var timer in state.Timers.Where(t => !t.Fired && t.DueMs <= nowMs && t.Kind != TimerKind.PresenceLapse).OrderBy(t => t.DueMs).ThenBy(t => t.RuleId, StringComparer.Ordinal).ToList())
        {
            if (!_byId.TryGetValue(timer.RuleId, out var rule))
            {
                // The rule was removed by a reload: its timers go with it.
                state = WithoutTimer(state, timer.RuleId);
            }
            else if (timer.Kind == TimerKind.Absence && rule.Absence is { } absence)
            {
                var trace = new ConditionTrace($"not followed by {string.Join(" or ", absence.Of)} within {Durations.Format(absence.Within)}", "none followed", true);
                candidates.Add(new Candidate(rule, [.. timer.Explanation, trace], timer.Source, timer.DueMs, null));
                state = WithoutTimer(state, timer.RuleId);
            }
            else if (timer.Kind == TimerKind.Dwell && rule.Dwell is { } dwell && Place(context, dwell.In) is { } place
                && place.Id == timer.Place && place.LastSeenMs >= timer.DueMs - ((long)dwell.For.TotalMilliseconds / 2))
            {
                candidates.Add(new Candidate(rule, [.. timer.Explanation, DwellTrace(dwell, timer.DueMs - place.SinceMs)], timer.Source, timer.DueMs, null));
                state = WithTimer(state, timer with { Fired = true });
            }
            else
            {
                // Left the place, or not seen there in the second half of the dwell: no dwell to report.
                state = WithoutTimer(state, timer.RuleId);
            }
        }

        var ignoredOffers = new List<OfferOutcome>();
        foreach (var sent in state.Outstanding.Where(s => s.DeadlineMs <= nowMs).ToList())
        {
            context = Ignore(context, sent, sent.DeadlineMs);
            state = state with { Outstanding = state.Outstanding.Remove(sent) };
            if (Learning(sent, accepted: false) is { } ignored)
            {
                ignoredOffers.Add(ignored);
            }
        }

        var outcomes = new List<RuleOutcome>();
        var pending = new PendingOfferLedger(ledger ?? EmptyOfferLedger.Instance);
        foreach (var group in candidates.GroupBy(c => decideAtDue ? c.TimeMs : nowMs).OrderBy(g => g.Key))
        {
            var step = Decide([.. group], context, state, group.Key, stateChanged: true, pending);
            (context, state) = (step.Context, step.State);
            outcomes.AddRange(step.Outcomes);
        }

        return new TriggerStep(outcomes, state, context, StateChanged: true)
        {
            ContextChanged = !ReferenceEquals(initialContext, context),
            OfferSends = pending.Sends,
            OfferOutcomes = ignoredOffers,
        };
    }

    /// <summary>
    /// Joins a response to its sent trigger by id and updates fatigue and the acceptance counters; for a sent offer,
    /// also what its arm learns (<paramref name="learned"/>: accepted or ignored, null otherwise).
    /// </summary>
    public static (ResponseEffect Effect, CustomerContext Context, TriggerState State) OnResponse(
        CustomerContext context, TriggerState state, string triggerId, ResponseOutcome outcome, long timeMs, out OfferOutcome? learned)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(state);
        learned = null;
        var sent = state.Outstanding.FirstOrDefault(s => s.TriggerId == triggerId);
        if (sent is null)
        {
            return (ResponseEffect.Unmatched, context, state);
        }

        var answered = state with { Outstanding = state.Outstanding.Remove(sent) };
        switch (outcome)
        {
            case ResponseOutcome.Delivered:
                return (ResponseEffect.Waiting, context, state);
            case ResponseOutcome.Opened or ResponseOutcome.Clicked or ResponseOutcome.Converted:
                learned = Learning(sent, accepted: true);
                return (ResponseEffect.Accepted, Feedback(context, sent, c => c with { Accepted = c.Accepted + 1, IgnoredInRow = 0 }), answered);
            case ResponseOutcome.Dismissed or ResponseOutcome.Ignored:
                learned = Learning(sent, accepted: false);
                return (ResponseEffect.Ignored, Ignore(context, sent, timeMs), answered);
            default:
                return (ResponseEffect.Failed, context, answered);
        }
    }

    private static OfferOutcome? Learning(SentTrigger sent, bool accepted) =>
        sent is { OfferId: { } offer, Segment: { } segment } ? new OfferOutcome(offer, segment, sent.Channel, accepted) : null;

    /// <summary>A deterministic trigger id: hash of rule, version, customer and the origin of the event it stems from.</summary>
    public static string TriggerId(TriggerRule rule, string customerId, SourceRef source)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(source);
        return "t-" + DeterministicIds.Hex($"{rule.Id}\n{rule.Version}\n{customerId}\n{source.Topic}\n{source.Partition}\n{source.Offset}");
    }

    private static TriggerState OnDwellEvent(
        TriggerRule rule, DwellSpec dwell, CustomerContext after, ChannelEvent e, SourceRef source, RuleScope scope, bool listens, TriggerState state, List<Candidate> candidates)
    {
        var place = Place(after, dwell.In);
        var timer = TimerOf(state, rule.Id);
        if (timer is not null && timer.Place != place?.Id)
        {
            state = WithoutTimer(state, rule.Id);
            timer = null;
        }

        if (!listens || place is null)
        {
            return state;
        }

        if (rule.When.ExplainIfTrue(scope) is not { } explanation)
        {
            return timer is null ? state : WithoutTimer(state, rule.Id);
        }

        if (timer is null)
        {
            // Armed by the event that found the customer in the place; the trigger id derives from it however it fires.
            timer = new PendingTimer(rule.Id, TimerKind.Dwell, place.SinceMs + (long)dwell.For.TotalMilliseconds, source, place.Id, [.. explanation]);
            state = WithTimer(state, timer);
        }

        if (!timer.Fired && e.EventTimeMs >= timer.DueMs)
        {
            candidates.Add(new Candidate(rule, [.. explanation, DwellTrace(dwell, e.EventTimeMs - place.SinceMs)], timer.Source, e.EventTimeMs, scope));
            state = WithTimer(state, timer with { Fired = true });
        }

        return state;
    }

    private TriggerStep Decide(List<Candidate> candidates, CustomerContext context, TriggerState state, long streamTimeMs, bool stateChanged, PendingOfferLedger ledger)
    {
        if (candidates.Count == 0)
        {
            return new TriggerStep([], state, context, stateChanged);
        }

        // A rule proposing offers gets its offer first; it then competes on the offer's channel, ranked by its score.
        var segment = SegmentMembership.Primary(Rules.Segments, context);
        var outcomes = new List<RuleOutcome>(candidates.Count);
        var hygieneCandidates = new List<TriggerCandidate>(candidates.Count);
        var offered = new List<(Candidate Candidate, string TriggerId, OfferChoice? Offer)>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var id = TriggerId(candidate.Rule, context.ContextId, candidate.Source);
            if (candidate.Rule.Offers.Count == 0)
            {
                hygieneCandidates.Add(new TriggerCandidate(candidate.Rule.Hygiene, candidate.TimeMs));
                offered.Add((candidate, id, null));
                continue;
            }

            var scope = candidate.Scope ?? RuleScope.Of(context, candidate.TimeMs);
            var (choice, excluded) = OfferArbitration.Choose(candidate.Rule, segment, scope, id, candidate.TimeMs, ledger, _decisioning);
            if (choice is null)
            {
                var none = new HygieneDecision(new TriggerCandidate(candidate.Rule.Hygiene, candidate.TimeMs), SuppressionReason.NoEligibleOffer, "no eligible offer: " + string.Join("; ", excluded));
                outcomes.Add(new RuleOutcome(candidate.Rule, none, candidate.Explanation, candidate.Source, candidate.TimeMs, id));
                continue;
            }

            hygieneCandidates.Add(new TriggerCandidate(candidate.Rule.Hygiene with { Channel = choice.Offer.Channel }, candidate.TimeMs) { Score = choice.Winner.Score });
            offered.Add((candidate, id, choice));
        }

        var (decisions, decided) = TriggerHygiene.Decide(hygieneCandidates, context.Relationship, state, streamTimeMs, hygiene, context.Feedback);
        foreach (var decision in decisions)
        {
            var (candidate, id, offer) = offered[hygieneCandidates.IndexOf(decision.Candidate)];
            outcomes.Add(new RuleOutcome(candidate.Rule, decision, candidate.Explanation, candidate.Source, candidate.TimeMs, id) { Offer = offer });
            if (decision.Fires)
            {
                var sent = new SentTrigger(
                    id, candidate.Rule.Id, decision.Candidate.Rule.Channel, candidate.TimeMs, candidate.TimeMs + (long)candidate.Rule.Expiry.TotalMilliseconds, offer?.Offer.Id, offer?.Segment);
                var outstanding = decided.Outstanding.Add(sent);
                decided = decided with { Outstanding = outstanding.Count > hygiene.MaxOutstanding ? outstanding.RemoveAt(0) : outstanding };
                context = Feedback(context, sent, c => c with { Sent = c.Sent + 1 });
                if (offer is not null)
                {
                    ledger.Add(new OfferSend(offer.Offer.Id, offer.Segment, offer.Offer.Channel, offer.CapacityScope, offer.Day, offer.Learned, offer.Explored));
                }
            }
        }

        outcomes.Sort((a, b) => StringComparer.Ordinal.Compare(a.Rule.Id, b.Rule.Id));
        var fired = outcomes.Any(o => o.Fires);
        return new TriggerStep(outcomes, decided, context, stateChanged || fired) { ContextChanged = fired };
    }

    private static ConditionTrace? SequenceTrace(TriggerRule rule, SequenceSpec sequence, TriggerState state, long eventTimeMs)
    {
        var condition = $"after {string.Join(" or ", sequence.After)} within {Durations.Format(sequence.Within)}";
        if (!state.SequenceMarks.TryGetValue(rule.Id, out var mark))
        {
            return new ConditionTrace(condition, "never", false);
        }

        var gap = eventTimeMs - mark;
        return new ConditionTrace(condition, Durations.Format(gap) + " before", gap >= 0 && gap <= (long)sequence.Within.TotalMilliseconds);
    }

    private static ConditionTrace DwellTrace(DwellSpec dwell, long dwellMs) =>
        new($"dwell in {EnumNames.SnakeCase(dwell.In)} >= {Durations.Format(dwell.For)}", Durations.Format(dwellMs), true);

    private sealed record PlaceView(string Id, long SinceMs, long LastSeenMs);

    /// <summary>Where the customer is, for a dwell: the place, since when, and when last seen there.</summary>
    private static PlaceView? Place(CustomerContext context, DwellPlace kind) => kind switch
    {
        DwellPlace.Zone when context.InStore is { StoreId: { } store, ZoneId: { } zone } inStore => new($"{store}/{zone}", inStore.ZoneEnteredMs, inStore.LastSightingMs),
        DwellPlace.Store when context.InStore is { StoreId: { } store } inStore => new(store, inStore.EnteredStoreMs, inStore.LastSightingMs),
        DwellPlace.NearStore when context.Location is { State: PresenceState.NearStore, NearestStoreId: { } store } location => new(store, location.StateSinceMs, location.FixTimeMs),
        _ => null,
    };

    /// <summary>The rule's pending timer. Asked for every dwell and absence rule at every event, so a plain loop: no predicate or enumerator allocated.</summary>
    private static PendingTimer? TimerOf(TriggerState state, string ruleId)
    {
        foreach (var timer in state.Timers)
        {
            if (timer.RuleId == ruleId)
            {
                return timer;
            }
        }

        return null;
    }

    private static TriggerState WithoutTimer(TriggerState state, string ruleId) =>
        state with { Timers = state.Timers.RemoveAll(t => t.RuleId == ruleId) };

    private static TriggerState WithTimer(TriggerState state, PendingTimer timer) =>
        state with { Timers = WithoutTimer(state, timer.RuleId).Timers.Add(timer) };

    private static CustomerContext Ignore(CustomerContext context, SentTrigger sent, long timeMs) =>
        Feedback(context, sent, c => c with { Ignored = c.Ignored + 1, IgnoredInRow = c.IgnoredInRow + 1, LastIgnoredMs = Math.Max(c.LastIgnoredMs, timeMs) });

    private static CustomerContext Feedback(CustomerContext context, SentTrigger sent, Func<FeedbackCounters, FeedbackCounters> change) =>
        context with { Feedback = context.Feedback.Update(sent.RuleId, EnumNames.SnakeCase(sent.Channel), change) };

    /// <param name="Scope">What the rule saw at an event (null at a timer: offers are then judged on the context as it stands).</param>
    private sealed record Candidate(TriggerRule Rule, IReadOnlyList<ConditionTrace> Explanation, SourceRef Source, long TimeMs, RuleScope? Scope);
}
