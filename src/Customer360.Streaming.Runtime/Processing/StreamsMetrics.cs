using System.Diagnostics.Metrics;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The runtime's instruments on a <see cref="Meter"/> named <see cref="MeterName"/>; exporters (Prometheus,
/// OpenTelemetry) subscribe to it. Lag per partition is read from <see cref="StreamWorkerStatus"/>.
/// </summary>
public sealed class StreamsMetrics : IDisposable
{
    public const string MeterName = "Customer360.Streaming.Runtime";

    private readonly Meter _meter;

    public StreamsMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        RecordsProcessed = _meter.CreateCounter<long>("c360.records.processed", "{record}", "Records processed, by source topic");
        DeadLetters = _meter.CreateCounter<long>("c360.dead_letters", "{record}", "Records written to the dead-letter topic, by stage and error class");
        TransientRetries = _meter.CreateCounter<long>("c360.transient_retries", "{record}", "Records paused for retry after a transient failure");
        LateRecords = _meter.CreateCounter<long>("c360.records.late", "{record}", "Records later than the grace period, counted and not applied");
        Replays = _meter.CreateCounter<long>("c360.records.replayed", "{record}", "Replayed records recognised by applied offsets and skipped");
        CommitDuration = _meter.CreateHistogram<double>("c360.commit.duration", "ms", "Time to make a commit interval durable");
        RestoredRecords = _meter.CreateCounter<long>("c360.restore.records", "{record}", "Changelog records replayed into stores");
        Rebalances = _meter.CreateCounter<long>("c360.rebalances", "{event}", "Partition assignments, revocations and losses");
        EventToOutputLatency = _meter.CreateHistogram<double>("c360.event_to_output.latency", "ms", "From a record's timestamp to the commit that made its outputs visible");
        OutputLatency = _meter.CreateHistogram<double>(
            "c360.output.latency", "ms", "From an output's timestamp (the event time it stems from) to the commit that made it visible, by output topic");
    }

    public Counter<long> RecordsProcessed { get; }

    public Counter<long> DeadLetters { get; }

    public Counter<long> TransientRetries { get; }

    public Counter<long> LateRecords { get; }

    public Counter<long> Replays { get; }

    public Histogram<double> CommitDuration { get; }

    public Counter<long> RestoredRecords { get; }

    public Counter<long> Rebalances { get; }

    public Histogram<double> EventToOutputLatency { get; }

    /// <summary>Per output topic: for triggers, event-to-trigger latency.</summary>
    public Histogram<double> OutputLatency { get; }

    public void Dispose() => _meter.Dispose();
}
