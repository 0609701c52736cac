using System.Globalization;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// What <c>c360 dead-letters summary</c> prints: how many dead letters of each error class and stage, which inputs
/// they entered by, when the failed records were written, and how many a replay could send. Never a key or a value.
/// </summary>
internal sealed class DeadLetterTally(DeadLetterReplayTargets targets)
{
    private readonly SortedDictionary<(string ErrorClass, string Stage), SortedDictionary<string, long>> _byReason = [];

    /// <summary>The input records dead-lettered so far, by where they were read: one dead-lettered again is a repeat.</summary>
    private readonly HashSet<RecordOrigin> _origins = [];
    private long _replayable;
    private long _firstMs = long.MaxValue;
    private long _lastMs = long.MinValue;

    public long Total { get; private set; }

    /// <summary>Records on the topic without our origin headers (somebody else wrote them).</summary>
    public long Foreign { get; private set; }

    /// <summary>
    /// Dead letters of a record dead-lettered before: read again after a crash before its offset was committed (or on
    /// each restart under exactly_once_v2 on the embedded broker, which keeps no transactional offsets), it failed again.
    /// </summary>
    public long Repeats { get; private set; }

    public void Add(DeadLetterEnvelope? letter)
    {
        Total++;
        if (letter is null)
        {
            Foreign++;
            return;
        }

        // Kept as they will be printed: the headers are text anyone able to write to the topic chose.
        var reason = (TerminalText.Printable(letter.ErrorClass), TerminalText.Printable(letter.Stage));
        if (!_byReason.TryGetValue(reason, out var byTopic))
        {
            _byReason[reason] = byTopic = new SortedDictionary<string, long>(StringComparer.Ordinal);
        }

        var topic = TerminalText.Printable(letter.Origin.Topic);
        byTopic[topic] = byTopic.GetValueOrDefault(topic) + 1;
        var first = _origins.Add(letter.Origin);
        Repeats += first ? 0 : 1;
        _replayable += first && targets.For(letter).Topic is not null ? 1 : 0;
        if (letter.OriginTimestampMs > 0)
        {
            _firstMs = Math.Min(_firstMs, letter.OriginTimestampMs);
            _lastMs = Math.Max(_lastMs, letter.OriginTimestampMs);
        }
    }

    public IEnumerable<string> Lines(string topic)
    {
        var span = _firstMs == _lastMs ? $"; the failed records were written at {Time(_firstMs)}"
            : _firstMs < _lastMs ? $"; the failed records were written {Time(_firstMs)} to {Time(_lastMs)}"
            : string.Empty;
        yield return $"dead letters on {topic}: {Total:N0}{span}";
        foreach (var ((errorClass, stage), byTopic) in _byReason)
        {
            yield return $"  {errorClass} at {stage}: {byTopic.Values.Sum():N0} ({string.Join(", ", byTopic.Select(t => $"{t.Key} {t.Value:N0}"))})";
        }

        if (Foreign > 0)
        {
            yield return $"  without origin headers (not written by c360): {Foreign:N0}";
        }

        if (Repeats > 0)
        {
            yield return $"  of these, {Repeats:N0} repeat a record dead-lettered before (its input was read again, after a crash or a restart); a replay sends each record once";
        }

        yield return $"replayable: {_replayable:N0} of {Total:N0} (c360 dead-letters replay --class <classes> sends them back to the input they entered by)";
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
