namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// A reading the demo's view refreshes, such as the count of contexts in Redis, that may take longer than one refresh
/// should wait: a scan of 100,000 contexts on a Redis busy with the processor's writes took over 2 s, and the view
/// then said Redis did not answer. One reading runs at a time; a sample waits for it at most as long as it is given,
/// and shows the last completed value until it completes. A reading that completes without a value (the reader found
/// Redis unavailable) shows as unknown: an old value must not hide an outage.
/// </summary>
/// <param name="read">Starts a reading; null when what it reads is unavailable.</param>
internal sealed class LatestReading<T>(Func<Task<T?>> read, TimeProvider time)
    where T : struct
{
    private Task<T?>? _reading;
    private T? _latest;

    public async Task<T?> SampleAsync(TimeSpan wait)
    {
        if (_reading is { IsCompleted: true } finished)
        {
            _reading = null;
            _latest = await finished;
        }

        var reading = _reading ??= read();
        try
        {
            _latest = await reading.WaitAsync(wait, time);
        }
        catch (TimeoutException) when (!reading.IsCompleted)
        {
            // Still reading: it goes on, and the next sample takes its value.
        }
        finally
        {
            // Done, whether with a value or a failure: a failure surfaces once, and the next sample reads anew.
            if (reading.IsCompleted)
            {
                _reading = null;
            }
        }

        return _latest;
    }
}
