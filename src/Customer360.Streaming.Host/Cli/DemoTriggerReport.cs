using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// What the demo says about its triggers and their latency, measured where users see them:
/// <list type="bullet">
/// <item>event-to-trigger: from the time of the event a trigger fired on (its record's timestamp) to a consumer of
/// the triggers topic receiving it, reading uncommitted records as marketing automation would under at_least_once;
/// under exactly_once_v2 to the commit that made it visible (<see cref="CommittedTriggerLatency"/>). Triggers of timer
/// rules (absence, dwell) are left out: they fire when a timer is due, not on an event;</item>
/// <item>event-to-Redis: from the timestamp of the newest input record that changed a context to its write to Redis
/// (the sink's own measure, listened to in-process; a change a timer made alone is not measured);</item>
/// <item>record age per stage: how old a record was when the identity and the context stage took it (the runtime's
/// <c>c360.record.age</c>), which splits event-to-trigger by hop.</item>
/// </list>
/// Only events (and commits) from <see cref="LiveFromMs"/> on count, as it stands when the report is made: the replayed
/// history is minutes old by design, and each catch-up round moves the start forward. Also how long
/// the live minute's commits took, how the stream thread's time split between its loop's phases meanwhile, and the
/// decisions read back from Kafka, fired by rule and suppressed by reason.
/// </summary>
internal sealed class DemoTriggerReport : IDisposable
{
    private const string RedisLatencyInstrument = "c360.redis.event_to_context.latency";
    private const string CommitDurationInstrument = "c360.commit.duration";
    private const string CommitStepInstrument = "c360.commit.step.duration";
    private const string PromptedCommitsInstrument = "c360.commits.prompted";
    private const string RecordAgeInstrument = "c360.record.age";
    private const string ThreadTimeInstrument = "c360.stream_thread.time";
    private const string OutputLatencyInstrument = "c360.output.latency";

    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly LiveSamples _triggerLatenciesMs = new();
    private readonly LiveSamples _redisLatenciesMs = new();
    private readonly LiveSamples _commitDurationsMs = new();
    private readonly LiveSamples _promptedCommits = new();
    private readonly ConcurrentDictionary<string, LiveSamples> _recordAgesMsByStage = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveSamples> _threadSecondsByPhase = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveSamples> _commitStepMsByStep = new(StringComparer.Ordinal);

    /// <summary>Under exactly_once_v2, what event-to-trigger is measured from instead of the consumer's receipt.</summary>
    private readonly CommittedTriggerLatency? _committedTriggers;
    private string? _triggersTopic;
    private TopicTail? _triggers;
    private long _liveFromMs = long.MaxValue;

    /// <param name="time">The demo's clock.</param>
    /// <param name="processorMeters">
    /// The factory the processor's meters came from: only their measurements count. Another processor in the same
    /// process (a test host beside it) records on instruments of the same names.
    /// </param>
    /// <param name="exactlyOnce">Whether the processor runs under exactly_once_v2 (see <see cref="CommittedTriggerLatency"/>).</param>
    public DemoTriggerReport(TimeProvider time, IMeterFactory processorMeters, bool exactlyOnce = false)
    {
        _time = time;
        _committedTriggers = exactlyOnce ? new CommittedTriggerLatency() : null;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, processorMeters)
                && (instrument.Name is RedisLatencyInstrument or CommitDurationInstrument or CommitStepInstrument or PromptedCommitsInstrument or RecordAgeInstrument or ThreadTimeInstrument
                    || (exactlyOnce && instrument.Name == OutputLatencyInstrument)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            // Stamped with the time each belongs to; the report keeps those from the live minute's final start.
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (instrument.Name == CommitDurationInstrument)
            {
                _commitDurationsMs.Add(nowMs, value);
            }
            else if (instrument.Name == CommitStepInstrument)
            {
                if (TagOf(tags, "step") is { } step)
                {
                    _commitStepMsByStep.GetOrAdd(step, static _ => new LiveSamples()).Add(nowMs, value);
                }
            }
            else if (instrument.Name == RecordAgeInstrument)
            {
                // One per record and stage: the replayed history's (older than any start) are not kept at all.
                var recordMs = nowMs - (long)value;
                if (recordMs >= LiveFromMs && TagOf(tags, "stage") is { } stage)
                {
                    _recordAgesMsByStage.GetOrAdd(stage, static _ => new LiveSamples()).Add(recordMs, value);
                }
            }
            else if (instrument.Name == OutputLatencyInstrument)
            {
                // One per output committed: only the triggers topic's, and only those of the live minute, are kept.
                if (nowMs - (long)value >= LiveFromMs && TagOf(tags, "topic") is { } topic && topic == _triggersTopic)
                {
                    _committedTriggers?.Committed(nowMs, value);
                }
            }
            else if (instrument.Name == ThreadTimeInstrument)
            {
                // Several a loop: those before the live minute (the history's rounds) are not kept at all.
                if (nowMs >= LiveFromMs && TagOf(tags, "phase") is { } phase)
                {
                    _threadSecondsByPhase.GetOrAdd(phase, static _ => new LiveSamples()).Add(nowMs, value);
                }
            }
            else
            {
                // Measured at the write, so its record's time is now minus the latency.
                _redisLatenciesMs.Add(nowMs - (long)value, value);
            }
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == PromptedCommitsInstrument)
            {
                _promptedCommits.Add(time.GetUtcNow().ToUnixTimeMilliseconds(), value);
            }
        });
        _listener.Start();
    }

    /// <summary>Event time from which triggers and contexts count toward latency (until set, none do).</summary>
    public long LiveFromMs
    {
        get => Volatile.Read(ref _liveFromMs);
        set => Volatile.Write(ref _liveFromMs, value);
    }

    /// <summary>Follows the triggers topic from now on.</summary>
    /// <param name="timerRules">Rules that fire on a due timer rather than on an event; their triggers are not counted.</param>
    public void FollowTriggers(KafkaOptions kafka, ISchemaRegistryClient registry, string topic, IReadOnlySet<string> timerRules)
    {
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        _triggersTopic = topic;
        _triggers = TopicTail.Start(kafka, topic, "c360-demo-triggers", record =>
        {
            var receivedMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var eventMs = record.Message.Timestamp.UnixTimestampMs;
            // Older than the start known so far: older than the final one too, so not worth decoding.
            if (eventMs < Volatile.Read(ref _liveFromMs) || record.Message.Value is not { } value)
            {
                return;
            }

            try
            {
                if (!timerRules.Contains((string)deserializer.Deserialize(value)["ruleId"]))
                {
                    _triggerLatenciesMs.Add(eventMs, receivedMs - eventMs);
                    _committedTriggers?.FiredOnEvent(eventMs);
                }
            }
            catch (Exception ex) when (ex is SerdeException or SchemaRegistryException or InvalidCastException or KeyNotFoundException)
            {
                // Not a trigger this demo can read: it does not count toward latency.
            }
        }, TimeSpan.FromSeconds(10), readUncommitted: _committedTriggers is null);
    }

    /// <summary>The latency line of the summary, or null before any trigger of a live event arrived.</summary>
    public string? LatencyLine()
    {
        var from = LiveFromMs;
        var triggers = _committedTriggers?.From(from) ?? _triggerLatenciesMs;
        if (triggers.PercentileFrom(from, 50) is not { } triggerP50)
        {
            return null;
        }

        var redis = _redisLatenciesMs.PercentileFrom(from, 50) is { } redisP50
            ? $"event-to-redis p50 {redisP50:0} ms p99 {_redisLatenciesMs.PercentileFrom(from, 99):0} ms"
            : "event-to-redis: no context written for a live event";
        var measuredTo = _committedTriggers is null ? string.Empty : " (exactly_once_v2: event-to-trigger to the commit that made each trigger visible)";
        return $"latency: event-to-trigger p50 {triggerP50:0} ms p99 {triggers.PercentileFrom(from, 99):0} ms over {triggers.CountFrom(from)} triggers; {redis}{measuredTo}";
    }

    /// <summary>
    /// How long the live minute's commits held the stream thread (every record arriving meanwhile waits), and how many
    /// of them a trigger brought forward (exactly_once_v2's prompt commits), or null before the live minute.
    /// </summary>
    public string? CommitLine()
    {
        var from = LiveFromMs;
        var prompted = _promptedCommits.SumFrom(from) is var n and > 0 ? $", {n:0} brought forward by a trigger or store event" : string.Empty;
        return _commitDurationsMs.PercentileFrom(from, 50) is { } p50
            ? $"commits in the live minute: p50 {p50:0.0} ms p99 {_commitDurationsMs.PercentileFrom(from, 99):0.0} ms over {_commitDurationsMs.CountFrom(from)} commits{prompted} (the stream thread waits for each)"
            : null;
    }

    /// <summary>
    /// Each step of the live minute's commits, p50 and p99, the step that took the most time in all first, or null
    /// before the live minute: which step a commit waits on (under exactly_once_v2, what the triggers wait on).
    /// </summary>
    public string? CommitStepLine()
    {
        var from = LiveFromMs;
        var steps = _commitStepMsByStep
            .Select(s => (Step: s.Key, Total: s.Value.SumFrom(from), P50: s.Value.PercentileFrom(from, 50), P99: s.Value.PercentileFrom(from, 99)))
            .Where(s => s.P50 is not null)
            .OrderByDescending(s => s.Total).ThenBy(s => s.Step, StringComparer.Ordinal)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Step} {s.P50:0.0} / {s.P99:0.0} ms"))
            .ToList();
        return steps.Count == 0 ? null : "commit steps in the live minute (p50 / p99): " + string.Join(", ", steps);
    }

    /// <summary>
    /// How old the live minute's records were when each stage took them, stages in the order given, or null before the
    /// live minute. The identity stage's age is the input hop; the context stage's adds that stage and the repartition
    /// hop; event-to-trigger adds the context stage, the trigger topic and its consumer.
    /// </summary>
    public string? RecordAgeLine(params string[] stages)
    {
        var from = LiveFromMs;
        var parts = stages
            .Select(stage => _recordAgesMsByStage.TryGetValue(stage, out var ages) && ages.PercentileFrom(from, 50) is { } p50
                ? $"{stage} p50 {p50:0} ms p99 {ages.PercentileFrom(from, 99):0} ms"
                : null)
            .OfType<string>()
            .ToList();
        return parts.Count == 0 ? null : "record age as each stage took it: " + string.Join("; ", parts);
    }

    /// <summary>
    /// The share of the live minute's stream thread time each loop phase took (<c>c360.stream_thread.time</c>), the
    /// largest first, or null before the live minute: whether the thread was busy or waiting while the latency was
    /// measured.
    /// </summary>
    public string? ThreadTimeLine()
    {
        var from = LiveFromMs;
        var seconds = _threadSecondsByPhase.Select(p => (Phase: p.Key, Seconds: p.Value.SumFrom(from))).ToList();
        var total = seconds.Sum(p => p.Seconds);
        return total <= 0 ? null : "stream thread in the live minute: " + string.Join(", ", seconds
            .OrderByDescending(p => p.Seconds).ThenBy(p => p.Phase, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {100 * p.Seconds / total:0.0} %")));
    }

    private static string? TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    /// <summary>Decisions on the topic: fired ones counted by rule, suppressed ones by reason.</summary>
    public static (IReadOnlyDictionary<string, int> FiredByRule, IReadOnlyDictionary<string, int> SuppressedByReason) Decisions(
        KafkaOptions kafka, ISchemaRegistryClient registry, string topic, int partitions, CancellationToken cancellationToken)
    {
        var fired = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var suppressed = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, "c360-demo-decisions", "c360-demo-decisions")).SetLogHandler(KafkaClientLog.Discard).Build();
        TopicReader.ReadToEnd(consumer, topic, Enumerable.Range(0, partitions), TimeSpan.FromSeconds(5), record =>
        {
            if (record.Message.Value is not { } value)
            {
                return;
            }

            var decision = ObservedDecision.Decode(deserializer.Deserialize(value));
            var (counts, key) = decision.Fired ? (fired, decision.RuleId) : (suppressed, decision.Reason);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }, cancellationToken);
        return (fired, suppressed);
    }

    public void Dispose()
    {
        _triggers?.Dispose();
        _listener.Dispose();
    }
}
