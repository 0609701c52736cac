namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// When one partition's records reached the broker, read from its high watermark sighted over time: the record at an
/// offset arrived after the last sighting of a high watermark at or below it and by the first sighting above it. Lag
/// in seconds taken from this is how long the oldest unprocessed record has waited, whatever time it carries: a
/// profile or a phone's late upload carries an event time that can be months old while it waited a second.
/// </summary>
/// <remarks>
/// Not thread-safe; its owner locks. The history is bounded: once full, the sighting whose neighbours are closest
/// together for its age goes, so recent arrivals stay placed to about a sighting interval and old ones to a share of
/// their age. Dropping a sighting widens a bracket but never makes it wrong.
/// </remarks>
public sealed class ArrivalTimeline
{
    /// <summary>The most sightings kept.</summary>
    public const int MaxSightings = 64;

    private readonly List<Sighting> _sightings = [];

    /// <summary>Sightings kept now.</summary>
    public int Sightings => _sightings.Count;

    /// <summary>The latest high watermark sighted, or null before the first sighting.</summary>
    public long? HighWatermark => _sightings.Count > 0 ? _sightings[^1].HighWatermark : null;

    /// <summary>The partition's high watermark was <paramref name="highWatermark"/> at <paramref name="nowMs"/>.</summary>
    public void Observe(long highWatermark, long nowMs)
    {
        if (_sightings.Count > 0)
        {
            var last = _sightings[^1];
            if (highWatermark == last.HighWatermark)
            {
                _sightings[^1] = last with { LastSeenMs = Math.Max(last.LastSeenMs, nowMs) };
                return;
            }

            if (highWatermark < last.HighWatermark)
            {
                // The topic was deleted and created again, or an unclean election lost its tail: the offsets sighted
                // before no longer name the same records.
                _sightings.Clear();
            }
        }

        _sightings.Add(new Sighting(highWatermark, nowMs, nowMs));
        if (_sightings.Count > MaxSightings)
        {
            _sightings.RemoveAt(LeastInformative(nowMs));
        }
    }

    /// <summary>Whether the record at <paramref name="offset"/> reached the broker before the first sighting (or none was made): only its own time can say more.</summary>
    public bool ArrivedUnsighted(long offset) => _sightings.Count == 0 || offset < _sightings[0].HighWatermark;

    /// <summary>
    /// By when the record at <paramref name="offset"/> reached the broker: placed between the sightings around it in
    /// proportion to its offset; for a record older than the first sighting, that sighting or the record's own time
    /// when earlier (a producer stamps a record before it arrives); without sightings, the record's own time. Null when
    /// the offset was never sighted on the broker and no time is given.
    /// </summary>
    public long? ArrivedByMs(long offset, long? recordTimestampMs)
    {
        var above = _sightings.FindIndex(s => s.HighWatermark > offset);
        if (above < 0)
        {
            return _sightings.Count == 0 ? recordTimestampMs : null;
        }

        var first = _sightings[above];
        if (above == 0)
        {
            return recordTimestampMs is { } stamped ? Math.Min(stamped, first.FirstSeenMs) : first.FirstSeenMs;
        }

        var before = _sightings[above - 1];
        var share = (double)(offset - before.HighWatermark + 1) / (first.HighWatermark - before.HighWatermark);
        return before.LastSeenMs + (long)Math.Round(share * (first.FirstSeenMs - before.LastSeenMs));
    }

    /// <summary>The sighting, neither the first nor the last, whose neighbours lie closest together for its age.</summary>
    private int LeastInformative(long nowMs)
    {
        var chosen = 1;
        var smallest = double.MaxValue;
        for (var i = 1; i < _sightings.Count - 1; i++)
        {
            var gap = _sightings[i + 1].FirstSeenMs - _sightings[i - 1].LastSeenMs;
            var age = Math.Max(1, nowMs - _sightings[i].FirstSeenMs);
            var relative = (double)gap / age;
            if (relative < smallest)
            {
                smallest = relative;
                chosen = i;
            }
        }

        return chosen;
    }

    /// <summary>The high watermark seen from <see cref="FirstSeenMs"/> through <see cref="LastSeenMs"/>.</summary>
    private readonly record struct Sighting(long HighWatermark, long FirstSeenMs, long LastSeenMs);
}
