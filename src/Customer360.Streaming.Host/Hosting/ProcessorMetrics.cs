using System.Diagnostics.Metrics;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Gauges of the running worker, observed when scraped: per-partition lag in records and in seconds, and how many
/// partitions are assigned and paused. Lag in seconds is <see cref="PartitionProgress.LagSecondsAt"/>.
/// </summary>
internal sealed class ProcessorMetrics : IDisposable
{
    public const string MeterName = "Customer360.Streaming.Processor";
    private readonly Meter _meter;

    /// <param name="partitions">The worker's partitions now (empty before it starts); read at each observation.</param>
    public ProcessorMetrics(Func<IReadOnlyList<PartitionProgress>> partitions, TimeProvider time, IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge(
            "c360.consumer.lag", () => partitions().Where(p => p.Lag is not null).Select(p => new Measurement<long>(p.Lag!.Value, Tags(p))),
            "{record}", "Records in the partition not yet processed, per input partition");
        _meter.CreateObservableGauge(
            "c360.consumer.lag.seconds",
            () => partitions().Where(p => p.Lag is not null).Select(p => new Measurement<double>(p.LagSecondsAt(time.GetUtcNow().ToUnixTimeMilliseconds()), Tags(p))),
            "s", "While a partition is behind, the age of its last processed record; 0 when caught up");
        _meter.CreateObservableGauge("c360.partitions.assigned", () => partitions().Count, "{partition}", "Partitions assigned to this process");
        _meter.CreateObservableGauge("c360.partitions.paused", () => partitions().Count(p => p.Paused), "{partition}", "Partitions paused to retry a record while a dependency is down (a full buffer's back-pressure pause is not counted)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[] Tags(PartitionProgress p) =>
        [new("topic", p.Partition.Topic), new("partition", p.Partition.Partition.Value)];
}
