using System.Diagnostics.Metrics;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline.Triggers;

namespace Customer360.Streaming.Pipeline;

/// <summary>Instruments of the context pipeline, on the meter <see cref="MeterName"/>.</summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "Customer360.Streaming.Context";

    private readonly Meter _meter;

    public PipelineMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Reductions = _meter.CreateCounter<long>("c360.context.reductions", "{event}", "Events reduced into contexts, by outcome (Applied, Late, Superseded, Duplicate, NoConsent) and source topic");
        QuarantinedIdentifiers = _meter.CreateCounter<long>("c360.identity.quarantined", "{identifier}", "Identifiers linked to too many customers, kept anonymous");
        LinksRefused = _meter.CreateCounter<long>("c360.identity.links_refused", "{link}", "Links refused because the customer already holds the most identifiers allowed");
        AnonymousMerged = _meter.CreateCounter<long>("c360.identity.merged", "{context}", "Anonymous contexts merged into a customer's on a new link");
        AnonymousExpired = _meter.CreateCounter<long>("c360.identity.anonymous_expired", "{context}", "Anonymous contexts removed after their time to live");
        Erasures = _meter.CreateCounter<long>("c360.context.erasures", "{customer}", "Customers erased");
        SuppressedAfterErasure = _meter.CreateCounter<long>("c360.context.suppressed_erased", "{record}", "Records for erased customers, dropped");
        RedisWrites = _meter.CreateCounter<long>("c360.redis.writes", "{key}", "Context documents written to Redis, by result (written, not_newer, deleted)");
        RedisBatchDuration = _meter.CreateHistogram<double>("c360.redis.batch.duration", "ms", "Time to write one commit's contexts to Redis");
        EventToRedisLatency = _meter.CreateHistogram<double>(
            "c360.redis.event_to_context.latency", "ms", "From the timestamp of the newest input record that changed a context to the context's write to Redis, per context written (not for a timer's change)");
        RuleEvaluations = _meter.CreateCounter<long>("c360.rules.matched", "{evaluation}", "Rule evaluations whose conditions held");
        Triggers = _meter.CreateCounter<long>("c360.triggers.fired", "{trigger}", "Triggers emitted, by rule");
        Suppressed = _meter.CreateCounter<long>("c360.triggers.suppressed", "{trigger}", "Matched rules suppressed by hygiene, by reason");
        Responses = _meter.CreateCounter<long>("c360.triggers.responses", "{response}", "Trigger responses joined back, by effect (accepted, ignored, waiting, failed, unmatched)");
        TimersFired = _meter.CreateCounter<long>("c360.triggers.timers", "{customer}", "Customers whose absence, dwell or response-deadline timers came due, by clock (stream, wall)");
        RuleReloads = _meter.CreateCounter<long>("c360.rules.reloads", "{reload}", "Rule file reloads, by result (applied, rejected)");
        RedisRetries = _meter.CreateCounter<long>("c360.redis.retries", "{attempt}", "Redis batches retried while Redis was unreachable");
        Offers = new OfferMetrics(_meter);
    }

    /// <summary>The meter the instruments are on (for a listener bound to this instance).</summary>
    public Meter Meter => _meter;

    /// <summary>Offers sent and answered, acceptance per offer and segment, segment changes.</summary>
    public OfferMetrics Offers { get; }

    public Counter<long> Reductions { get; }

    public Counter<long> QuarantinedIdentifiers { get; }

    public Counter<long> LinksRefused { get; }

    public Counter<long> AnonymousMerged { get; }

    public Counter<long> AnonymousExpired { get; }

    public Counter<long> Erasures { get; }

    public Counter<long> SuppressedAfterErasure { get; }

    public Counter<long> RedisWrites { get; }

    public Histogram<double> RedisBatchDuration { get; }

    public Histogram<double> EventToRedisLatency { get; }

    public Counter<long> RedisRetries { get; }

    public Counter<long> RuleEvaluations { get; }

    public Counter<long> Triggers { get; }

    public Counter<long> Suppressed { get; }

    public Counter<long> Responses { get; }

    public Counter<long> TimersFired { get; }

    public Counter<long> RuleReloads { get; }

    /// <summary>The counters of the trigger stage.</summary>
    public TriggerCounters TriggerCounters => new(RuleEvaluations, Triggers, Suppressed, Responses, TimersFired);

    public void CountReduction(ReductionOutcome outcome, string sourceTopic) =>
        Reductions.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()), new KeyValuePair<string, object?>("topic", sourceTopic));

    public void Dispose() => _meter.Dispose();
}
