using System.Diagnostics.Metrics;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>The counters the trigger stage adds to; they live on the pipeline's meter (<see cref="PipelineMetrics.TriggerCounters"/>).</summary>
public sealed record TriggerCounters(Counter<long> RuleEvaluations, Counter<long> Fired, Counter<long> Suppressed, Counter<long> Responses, Counter<long> TimersFired);
