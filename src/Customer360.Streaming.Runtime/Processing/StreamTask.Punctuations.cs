namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A task's punctuations: scheduled on stream time or the wall clock, and left to their next time when a dependency refuses one.</summary>
public sealed partial class StreamTask
{
    /// <summary>Fires wall-clock punctuations that are due at <paramref name="nowMs"/>.</summary>
    public void PunctuateWallClock(long nowMs) => Punctuate(PunctuationType.WallClockTime, nowMs);

    public void Schedule(string name, TimeSpan interval, PunctuationType type, Action<long> punctuate)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "A punctuation interval must be positive.");
        }

        _punctuations.Add(new Punctuation(name, (long)interval.TotalMilliseconds, type, punctuate));
    }

    private void Punctuate(PunctuationType type, long timeMs)
    {
        foreach (var punctuation in _punctuations)
        {
            if (punctuation.Type != type)
            {
                continue;
            }

            if (!punctuation.IsScheduled)
            {
                punctuation.AlignAfter(timeMs);
                continue;
            }

            if (timeMs < punctuation.Next)
            {
                continue;
            }

            _currentPunctuation = (punctuation.Name, timeMs);
            _sequence = 0;
            try
            {
                punctuation.Callback(_currentPunctuation.Value.TimeMs);
                if (punctuation.Deferrals > 0)
                {
                    Log.PunctuationRanAgain(_logger, _sub.Name, Partition, punctuation.Name, punctuation.Deferrals);
                    punctuation.Deferrals = 0;
                }
            }
            catch (Exception ex) when (RecordErrors.Classify(ex).Transient)
            {
                Defer(punctuation, ex);
            }
            finally
            {
                _currentPunctuation = null;
            }

            punctuation.AlignAfter(timeMs);
        }
    }

    /// <summary>
    /// A dependency refused the punctuation (a trigger's schema while the registry is down). There is no record to
    /// rewind to, and stopping the task for an outage would stop the processor: the punctuation runs again at its next
    /// time, and what it had done before the refusal stands, as <see cref="IProcessorContext.Schedule"/> asks of it.
    /// </summary>
    private void Defer(Punctuation punctuation, Exception refusal)
    {
        _metrics?.TransientRetries.Add(1);
        var reason = RecordErrors.Sanitize(refusal);
        if (punctuation.Deferrals++ == 0)
        {
            Log.PunctuationDeferred(_logger, _sub.Name, Partition, punctuation.Name, reason);
        }
        else
        {
            Log.PunctuationDeferredAgain(_logger, _sub.Name, Partition, punctuation.Name, reason);
        }
    }
}
