using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>A compiled moment-of-truth rule.</summary>
/// <param name="On">Events that can fire it: a kind (<c>beacon</c>) or a kind and action (<c>beacon.enter</c>).</param>
/// <param name="Expiry">How long after its creation the trigger is still worth sending.</param>
public sealed record TriggerRule(
    string Id,
    int Version,
    string Description,
    IReadOnlyList<string> On,
    CompiledCondition<RuleScope> When,
    HygieneRule Hygiene,
    TimeSpan Expiry,
    string Topic)
{
    /// <summary>Fires only after one of these events within a time (A then B).</summary>
    public SequenceSpec? Sequence { get; init; }

    /// <summary>Fires from a timer when the event was not followed by one of these within a time.</summary>
    public AbsenceSpec? Absence { get; init; }

    /// <summary>Fires once the customer has stayed long enough in one place (from a timer, or on an event past the time).</summary>
    public DwellSpec? Dwell { get; init; }

    /// <summary>Offers the rule proposes instead of a fixed message: arbitration picks one when it fires (empty: none).</summary>
    public IReadOnlyList<OfferDefinition> Offers { get; init; } = [];

    /// <summary>
    /// The rule as its file declares it, without layout or comments: a rule whose definition changes under the same
    /// <see cref="Version"/> is told apart by this alone (decisions and trigger ids name id and version).
    /// </summary>
    public string Definition { get; init; } = string.Empty;

    public bool Listens(string kind, string? action) => EventPatterns.Matches(On, kind, action);
}

/// <summary>A rule that listened to the event, whether its condition held, and what each condition saw.</summary>
public sealed record RuleEvaluation(TriggerRule Rule, bool Matched, IReadOnlyList<ConditionTrace> Explanation);

/// <summary>A validated, immutable set of rules, with the segments and offers they name; swapped whole on reload.</summary>
public sealed class RuleSet(IReadOnlyList<TriggerRule> rules, string source)
{
    /// <summary>No rules, segments or offers: what a topology folder without a rule file runs with.</summary>
    public static readonly RuleSet None = new([], "no rule file");

    public IReadOnlyList<TriggerRule> Rules { get; } = rules;

    /// <summary>The real-time segments, in the order of their file (the first one a customer is in is the one a decision learns in).</summary>
    public IReadOnlyList<SegmentDefinition> Segments { get; init; } = [];

    /// <summary>The offer catalog.</summary>
    public IReadOnlyList<OfferDefinition> Offers { get; init; } = [];

    /// <summary>Where the set came from (file path), for logs and decisions.</summary>
    public string Source { get; } = source;

    /// <summary>
    /// The rules of this set that <paramref name="before"/> has under the same id and version with another definition,
    /// as "id vN": after such a change, a decision's rule and version no longer say which definition made it.
    /// </summary>
    public IReadOnlyList<string> ChangedUnderSameVersion(RuleSet before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var previous = before.Rules.ToDictionary(r => (r.Id, r.Version));
        return [.. Rules
            .Where(r => previous.TryGetValue((r.Id, r.Version), out var old) && old.Definition != r.Definition)
            .Select(r => $"{r.Id} v{r.Version}")];
    }

    /// <summary>Evaluates every rule that listens to the scope's event, in rule-id order.</summary>
    public IReadOnlyList<RuleEvaluation> Evaluate(RuleScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var e = scope.Event ?? throw new ArgumentException("Rules listen to events: the scope has none.", nameof(scope));
        var kind = RuleVariables.KindOf(e);
        var action = RuleVariables.ActionOf(e);
        var evaluations = new List<RuleEvaluation>();
        foreach (var rule in Rules)
        {
            if (rule.Listens(kind, action))
            {
                var (matched, explanation) = rule.When.Explain(scope);
                evaluations.Add(new RuleEvaluation(rule, matched, explanation));
            }
        }

        return evaluations;
    }
}
