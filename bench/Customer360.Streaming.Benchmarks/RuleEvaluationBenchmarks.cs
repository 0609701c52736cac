using BenchmarkDotNet.Attributes;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The shipped rule set evaluated on realistic scopes: each operation is one event's evaluation (every rule that
/// listens to it), without and with the explanation a trigger carries, the whole trigger-engine step the processor
/// runs per event, and the hygiene decision for a match.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RuleEvaluationBenchmarks
{
    private const int Scopes = 2_000;
    private RuleSet _rules = null!;
    private RuleScope[] _scopes = [];
    private TriggerCandidate[] _candidates = [];
    private Domain.Events.RelationshipProfile _profile = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rules = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, StoreCatalog.FileName));
        var population = new Population(50, seed: 5, stores, 1_790_000_000_000);
        var reducer = new ContextReducer(new ContextSettings(), stores);
        var contexts = new Dictionary<string, CustomerContext>(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in population.Setup())
        {
            if (record.Event is Domain.Identity.IdentityLink link)
            {
                owner[link.Identifier] = link.CustomerId;
            }
            else if (record.Event is Domain.Events.RelationshipProfile profile)
            {
                contexts[profile.CustomerId] = reducer.Apply(CustomerContext.Empty(profile.CustomerId), profile).Context;
                _profile = profile;
            }
        }

        var scopes = new List<RuleScope>();
        foreach (var record in population.Events(Scopes))
        {
            var customer = owner[record.Key];
            var before = contexts[customer];
            var after = reducer.Apply(before, record.Event).Context;
            contexts[customer] = after;
            scopes.Add(new RuleScope(after, before, record.Event, record.Event.EventTimeMs));
        }

        _scopes = [.. scopes];
        _candidates = [.. _rules.Rules.Select(r => new TriggerCandidate(r.Hygiene, 1_790_000_000_000))];
    }

    [Benchmark(OperationsPerInvoke = Scopes)]
    public int EvaluateMatchOnly()
    {
        var matched = 0;
        foreach (var scope in _scopes)
        {
            foreach (var rule in _rules.Rules)
            {
                if (rule.Listens(RuleVariables.KindOf(scope.Event!), RuleVariables.ActionOf(scope.Event!)) && rule.When.Evaluate(scope))
                {
                    matched++;
                }
            }
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = Scopes)]
    public int EvaluateWithExplanations()
    {
        var matched = 0;
        foreach (var scope in _scopes)
        {
            matched += _rules.Evaluate(scope).Count(e => e.Matched);
        }

        return matched;
    }

    /// <summary>
    /// What the processor runs per event: every rule (sequence marks, absence and dwell timers armed or cancelled,
    /// conditions with explanations), hygiene for the matches and the feedback bookkeeping of sends, per customer state.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Scopes)]
    public int EngineStepPerEvent()
    {
        var engine = new TriggerEngine(_rules, new HygieneSettings());
        var states = new Dictionary<string, TriggerState>(StringComparer.Ordinal);
        var outcomes = 0;
        var offset = 0L;
        foreach (var scope in _scopes)
        {
            var customer = scope.Context.ContextId;
            var e = scope.Event!;
            var step = engine.OnEvent(
                scope.Before, scope.Context, e, new SourceRef(e.SourceTopic, 0, offset++, e.EventId),
                states.GetValueOrDefault(customer) ?? new TriggerState(), scope.StreamTimeMs);
            states[customer] = step.State;
            outcomes += step.Outcomes.Count;
        }

        return outcomes;
    }

    [Benchmark]
    public int HygieneDecisionForAllRules() =>
        TriggerHygiene.Decide(_candidates, _profile, new TriggerState(), 1_790_000_000_000, new HygieneSettings()).Decisions.Count;
}
