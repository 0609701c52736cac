using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Customer360.Streaming.Testing;

/// <summary>
/// Keeps every measurement one instrument of one <see cref="Meter"/> instance records (histograms and counters of
/// <see cref="double"/>), each with its tags. Bound to the instance, as <see cref="CounterRecorder"/> is.
/// </summary>
public sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(double Value, IReadOnlyDictionary<string, object?> Tags)> _measurements = new();

    public MeasurementRecorder(Meter meter, string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var byKey = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                byKey[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((value, byKey));
        });
        _listener.Start();
    }

    /// <summary>What was recorded so far, in order.</summary>
    public IReadOnlyList<(double Value, IReadOnlyDictionary<string, object?> Tags)> Measurements => [.. _measurements];

    public void Dispose() => _listener.Dispose();
}
