using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Customer360.Streaming.Testing;

/// <summary>
/// Sums what the counters of one <see cref="Meter"/> instance record, by instrument name. Bound to the instance, not
/// the meter's name, so tests running in parallel with their own metrics objects do not see each other's counts.
/// </summary>
public sealed class CounterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public CounterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    /// <summary>The sum recorded on <paramref name="instrument"/> since this recorder started.</summary>
    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
