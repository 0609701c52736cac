using System.Collections.Concurrent;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Measurements, each stamped with the time it belongs to (the event it measures, or when a commit ran), kept until
/// the report: only those from a start that is known late count (the demo's live minute starts after the last
/// catch-up round, and each round moved it forward). Thread-safe: the trigger consumer and the meter listener add.
/// </summary>
internal sealed class LiveSamples
{
    private readonly ConcurrentQueue<(long AtMs, double Value)> _samples = new();

    public void Add(long atMs, double value) => _samples.Enqueue((atMs, value));

    public int CountFrom(long fromMs) => _samples.Count(s => s.AtMs >= fromMs);

    /// <summary>The sum of the samples from <paramref name="fromMs"/> on.</summary>
    public double SumFrom(long fromMs) => _samples.Where(s => s.AtMs >= fromMs).Sum(s => s.Value);

    /// <summary>The p-th percentile (0–100, nearest rank) of the samples from <paramref name="fromMs"/> on, or null when there are none.</summary>
    public double? PercentileFrom(long fromMs, double p)
    {
        var sorted = _samples.Where(s => s.AtMs >= fromMs).Select(s => s.Value).Order().ToArray();
        return sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
