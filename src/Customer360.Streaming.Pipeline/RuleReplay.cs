using Avro.Generic;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.Extensions.Logging.Abstractions;
using Customer360.Streaming.Pipeline.Triggers;

namespace Customer360.Streaming.Pipeline;

/// <summary>An input record to replay: a record of its topic's contract (null value: a tombstone).</summary>
public sealed record ReplayInput(string Topic, string? Key, GenericRecord? Value, long TimestampMs);

/// <summary>One decision of a replay: a rule whose conditions held for a customer, fired or suppressed and why.</summary>
/// <param name="SourceEventId">The event the decision stems from (for a timer: the event that armed it).</param>
public sealed record ReplayDecision(
    string RuleId, int RuleVersion, string CustomerId, string SourceEventId, long TimeMs, bool Fired, string Reason, string Detail, IReadOnlyList<ConditionTrace> Explanation)
{
    /// <summary>The id of the trigger it emitted, when it fired.</summary>
    public string? TriggerId { get; init; }

    /// <summary>The same decision in two replays: same rule, customer and source event (ids differ when the version does).</summary>
    public (string Rule, string Customer, string Source) Key => (RuleId, CustomerId, SourceEventId);
}

/// <summary>Everything a replay needs besides the rules: the catalogs, the stores, and the knobs the processor runs with.</summary>
public sealed record ReplaySetup(
    string ApplicationId, TopicCatalog Topics, SchemaCatalog Contracts, StoreDirectory Stores, ContextSettings Context, IdentitySettings Identity, HygieneSettings Hygiene)
{
    /// <summary>Timers still pending after the last event fire as if this much time passed without input.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromHours(24);

    /// <summary>What the processor is built from, with <paramref name="rules"/>, encoding through <paramref name="localRegistry"/>.</summary>
    public ContextPipelineSetup Pipeline(RuleSet rules, ISchemaRegistryClient localRegistry) =>
        new(Context, Identity, Stores, new EventCodec(localRegistry, new AvroSerdeOptions(), Contracts, Topics), ProductTopicNames.FromCatalog(Topics))
        {
            Rules = new LiveRuleSet(rules),
            Hygiene = Hygiene,
        };

    /// <summary>The contract (latest version) of an input or table topic, or null for any other topic.</summary>
    public Avro.RecordSchema? ContractOf(string topic) =>
        Topics.Topics.FirstOrDefault(t => t.Name == topic && t.Role is TopicRole.Input or TopicRole.Table) is { ValueSchema: { } contract }
            ? Contracts.Latest(contract).Schema
            : null;
}

/// <summary>A store event of a replay: presence (entered, dwelling, left) or an associate-assist trigger.</summary>
public sealed record ReplayStoreEvent(string EventId, string StoreId, string Type, string? TriggerId, long TimeMs);

/// <summary>What a replay saw.</summary>
public sealed record ReplayResult(int Records, int DeadLetters, IReadOnlyList<ReplayDecision> Decisions)
{
    public IReadOnlyList<ReplayStoreEvent> StoreEvents { get; init; } = [];
}

/// <summary>Triggers gained, lost and changed between the current and a new rule set on the same events.</summary>
/// <param name="Lost">Fired with the current rules, not with the new: with the new rules' decision when they still matched (suppressed).</param>
/// <param name="Changed">Fired with both, but at another time or with another explanation.</param>
public sealed record RuleDiff(
    IReadOnlyList<ReplayDecision> Gained,
    IReadOnlyList<(ReplayDecision Current, ReplayDecision? New)> Lost,
    IReadOnlyList<(ReplayDecision Current, ReplayDecision New)> Changed,
    int Same)
{
    public bool IsEmpty => Gained.Count == 0 && Lost.Count == 0 && Changed.Count == 0;
}

/// <summary>
/// <c>c360 rules test</c>: replays events in event time through the whole product topology (identity stitching,
/// contexts, rules, hygiene, timers) in memory, produces nothing, and compares what two rule sets decide. Encoding
/// uses the registry it is given (an in-process one, so a real registry is never written to).
/// </summary>
public static class RuleReplay
{
    public static ReplayResult Run(RuleSet rules, IReadOnlyList<ReplayInput> inputs, ReplaySetup setup, ISchemaRegistryClient localRegistry, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(setup);
        var settings = setup.Pipeline(rules, localRegistry);
        var names = settings.Topics;
        var topology = ProductTopology.Build(setup.ApplicationId, setup.Topics, settings, new PipelineMetrics(), NullLoggerFactory.Instance);
        var driver = new InMemoryTopologyRunner(topology);
        var serializer = new AvroSerializer<GenericRecord>(localRegistry);
        var ordered = inputs.Select((input, index) => (input, index)).OrderBy(x => x.input.TimestampMs).ThenBy(x => x.index).Select(x => x.input).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var input = ordered[i];
            var value = input.Value is null ? null : serializer.SerializeAsync(input.Value, input.Topic).GetAwaiter().GetResult();
            driver.PipeInput(input.Topic, input.Key, value, input.TimestampMs);
            if ((i + 1) % 10_000 == 0)
            {
                progress?.Invoke($"{rules.Source}: {i + 1:N0} of {ordered.Count:N0} records");
            }
        }

        if (ordered.Count > 0)
        {
            Drain(driver, ordered[^1].TimestampMs, settings, setup.Drain);
        }

        var deserializer = new AvroDeserializer<GenericRecord>(localRegistry);
        var decisions = driver.ReadOutput(names.Decisions).Select(r => Decision(deserializer.Deserialize(r.Value))).ToList();
        var storeEvents = driver.ReadOutput(names.StoreEvents).Select(r => StoreEvent(deserializer.Deserialize(r.Value))).ToList();
        var deadLetters = driver.ReadOutput(topology.DeadLetterTopic).Count;
        return new ReplayResult(ordered.Count, deadLetters, decisions) { StoreEvents = storeEvents };
    }

    public static RuleDiff Diff(ReplayResult current, ReplayResult next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var firedBefore = current.Decisions.Where(d => d.Fired).ToDictionary(d => d.Key);
        var firedAfter = next.Decisions.Where(d => d.Fired).ToDictionary(d => d.Key);
        var suppressedAfter = next.Decisions.Where(d => !d.Fired).GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Last());
        var gained = firedAfter.Values.Where(d => !firedBefore.ContainsKey(d.Key)).OrderBy(d => d.TimeMs).ThenBy(d => d.RuleId, StringComparer.Ordinal).ToList();
        var lost = firedBefore.Values.Where(d => !firedAfter.ContainsKey(d.Key)).OrderBy(d => d.TimeMs).ThenBy(d => d.RuleId, StringComparer.Ordinal)
            .Select(d => (d, suppressedAfter.GetValueOrDefault(d.Key))).ToList();
        var changed = new List<(ReplayDecision, ReplayDecision)>();
        var same = 0;
        foreach (var before in firedBefore.Values.OrderBy(d => d.TimeMs).ThenBy(d => d.RuleId, StringComparer.Ordinal))
        {
            if (firedAfter.TryGetValue(before.Key, out var after))
            {
                if (after.TimeMs != before.TimeMs || !after.Explanation.SequenceEqual(before.Explanation))
                {
                    changed.Add((before, after));
                }
                else
                {
                    same++;
                }
            }
        }

        return new RuleDiff(gained, lost, changed, same);
    }

    /// <summary>
    /// No more input: the wall clock moves on in timer-interval steps, so each pending timer fires near its due time
    /// (as in a quiet production partition) rather than all at once at the end, which would make them stale.
    /// </summary>
    private static void Drain(InMemoryTopologyRunner driver, long lastMs, ContextPipelineSetup settings, TimeSpan drain)
    {
        var step = settings.TimerInterval;
        driver.AdvanceWallClock(TimeSpan.FromMilliseconds(lastMs) + settings.Context.Grace);
        for (var elapsed = TimeSpan.Zero; elapsed <= drain; elapsed += step)
        {
            driver.AdvanceWallClock(step);
        }
    }

    private static ReplayStoreEvent StoreEvent(GenericRecord r) => new(
        r["eventId"].ToString()!, (string)r["storeId"], ((GenericEnum)r["type"]).Value, r["triggerId"] as string, EventTimeMs(r));

    private static ReplayDecision Decision(GenericRecord r)
    {
        var source = (GenericRecord)r["source"];
        var explanation = ((object[])r["explanation"]).Cast<GenericRecord>()
            .Select(e => new ConditionTrace((string)e["expression"], (string)e["actual"], e["passed"] as bool?)).ToList();
        return new ReplayDecision(
            (string)r["ruleId"], (int)r["ruleVersion"], (string)r["customerId"], source["eventId"]?.ToString() ?? string.Empty,
            EventTimeMs(r),
            ((GenericEnum)r["outcome"]).Value == "FIRED", ((GenericEnum)r["reason"]).Value, (string)r["detail"], explanation)
        {
            TriggerId = r["triggerId"] as string,
        };
    }

    private static long EventTimeMs(GenericRecord r) =>
        AvroTimestamps.ToEpochMillis(r["eventTime"]) ?? throw new InvalidDataException("A record's eventTime is not a timestamp.");
}
