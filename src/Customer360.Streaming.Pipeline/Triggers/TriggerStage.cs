using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Schemas.Contracts;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>Records a trigger evaluation will emit, and the customer's trigger history after it.</summary>
internal sealed record PreparedTriggers(IReadOnlyList<OutgoingRecord> Records, TriggerHistory? History)
{
    public static readonly PreparedTriggers None = new([], null);
}

/// <summary>
/// Evaluates the rules after a context change, applies hygiene, and prepares the trigger, store-event and decision
/// records. Preparing changes no state (a registry outage then fails the record cleanly); <see cref="Apply"/> stores the
/// new history and emits, in the same commit as the context change. Ids derive from rule, customer and the event's
/// origin, so a replay emits the same ids.
/// </summary>
internal sealed class TriggerStage(RuleSet rules, HygieneSettings hygiene, ProductTopicNames topics, TriggerEncoder encoder, PipelineMetrics metrics)
{
    public PreparedTriggers Prepare(IProcessorContext processor, IKeyValueStore historyStore, CustomerContext before, CustomerContext after, ChannelEvent channelEvent)
    {
        if (!after.Known || processor.CurrentRecord is not { } record)
        {
            return PreparedTriggers.None;
        }

        var streamTime = Math.Max(processor.StreamTimeMs, channelEvent.EventTimeMs);
        var matched = rules.Evaluate(new RuleScope(after, before, channelEvent, streamTime)).Where(e => e.Matched).ToList();
        metrics.RuleEvaluations.Add(matched.Count);
        if (matched.Count == 0)
        {
            return PreparedTriggers.None;
        }

        var history = historyStore.Get(after.ContextId) is { } json ? TriggerHistoryCodec.Decode(json) : new TriggerHistory();
        var candidates = matched.Select(m => new TriggerCandidate(m.Rule.Hygiene, channelEvent.EventTimeMs)).ToList();
        var (decisions, next) = TriggerHygiene.Decide(candidates, after.Relationship, history, streamTime, hygiene);
        var source = new SourceRef(record.Origin.Topic, record.Origin.Partition, record.Origin.Offset, channelEvent.EventId);
        var records = new List<OutgoingRecord>();
        foreach (var decision in decisions.OrderBy(d => d.Candidate.Rule.RuleId, StringComparer.Ordinal))
        {
            var evaluation = matched.First(m => m.Rule.Id == decision.Candidate.Rule.RuleId);
            var id = Id(evaluation.Rule, after.ContextId, source);
            string? triggerId = null;
            if (decision.Fires)
            {
                triggerId = id;
                var fired = new FiredTrigger(id, evaluation.Rule, after, channelEvent.EventTimeMs, evaluation.Explanation, source);
                records.Add(evaluation.Rule.Topic == topics.StoreEvents
                    ? encoder.AssociateAssist(fired, after.InStore.StoreId ?? after.Location.NearestStoreId ?? "unknown")
                    : encoder.Trigger(fired));
                metrics.Triggers.Add(1, new KeyValuePair<string, object?>("rule", evaluation.Rule.Id));
            }
            else
            {
                metrics.Suppressed.Add(1, new KeyValuePair<string, object?>("reason", decision.Suppressed.ToString()));
            }

            records.Add(encoder.Decision(new TriggerDecision(
                "d-" + id, evaluation.Rule, after.ContextId, channelEvent.EventTimeMs, decision.Suppressed, decision.Detail, evaluation.Explanation, triggerId, source)));
        }

        return new PreparedTriggers(records, next);
    }

    public static void Apply(PreparedTriggers prepared, IProcessorContext processor, IKeyValueStore historyStore, string customerId)
    {
        if (prepared.History is { } history)
        {
            historyStore.Put(customerId, TriggerHistoryCodec.Encode(history));
        }

        EmitAll(processor, prepared.Records);
    }

    /// <summary>Sends prepared records through the processor context, which gives each its deterministic output id.</summary>
    public static void EmitAll(IProcessorContext processor, IEnumerable<OutgoingRecord> records)
    {
        foreach (var record in records)
        {
            processor.Emit(record.Topic, record.Key is null ? null : Encoding.UTF8.GetString(record.Key), record.Value, record.TimestampMs);
        }
    }

    /// <summary>A deterministic trigger id: hash of rule, customer and the origin of the event that fired it.</summary>
    private static string Id(TriggerRule rule, string customerId, SourceRef source)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{rule.Id}\n{rule.Version}\n{customerId}\n{source.Topic}\n{source.Partition}\n{source.Offset}"), digest);
        return "t-" + Convert.ToHexStringLower(digest[..16]);
    }
}

/// <summary>Encodes trigger outputs with the registry, ready to emit.</summary>
internal sealed class TriggerEncoder(TriggerRecordWriter writer, Func<Avro.Generic.GenericRecord, string, byte[]> serialize, ProductTopicNames topics)
{
    public OutgoingRecord Trigger(FiredTrigger fired) =>
        Record(topics.Triggers, fired.Context.ContextId, serialize(writer.Trigger(fired), topics.Triggers), fired.CreatedMs);

    public OutgoingRecord AssociateAssist(FiredTrigger fired, string storeId) =>
        Record(topics.StoreEvents, storeId, serialize(writer.AssociateAssist(fired, storeId), topics.StoreEvents), fired.CreatedMs);

    public OutgoingRecord Decision(TriggerDecision decision) =>
        Record(topics.Decisions, decision.CustomerId, serialize(writer.Decision(decision), topics.Decisions), decision.TimeMs);

    private static OutgoingRecord Record(string topic, string key, byte[] value, long timestampMs) =>
        new(topic, Encoding.UTF8.GetBytes(key), value, timestampMs, []);
}

/// <summary>The stored form of a customer's trigger history.</summary>
internal static class TriggerHistoryCodec
{
    public static byte[] Encode(TriggerHistory history) => JsonSerializer.SerializeToUtf8Bytes(new Stored(
        history.LastByRule.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
        history.LastByGroup.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
        history.Day, history.SentToday, history.LastSentMs, history.LastSentPriority));

    public static TriggerHistory Decode(byte[] json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json) ?? throw new JsonException("Stored trigger history was null.");
        return new TriggerHistory
        {
            LastByRule = stored.LastByRule.ToImmutableSortedDictionary(StringComparer.Ordinal),
            LastByGroup = stored.LastByGroup.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Day = stored.Day,
            SentToday = stored.SentToday,
            LastSentMs = stored.LastSentMs,
            LastSentPriority = stored.LastSentPriority,
        };
    }

    private sealed record Stored(Dictionary<string, long> LastByRule, Dictionary<string, long> LastByGroup, string? Day, int SentToday, long LastSentMs, int LastSentPriority);
}
