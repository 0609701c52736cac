namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Holds a stream thread's processing while a commit observer is unavailable (its store unreachable), without ever
/// blocking the poll loop: records wait in their bounded buffers (a full one pauses its partition), polling and
/// commits go on so the thread stays in its group, readiness names the reason, and the observer is asked to recover
/// after <c>Streams:TransientRetryBackoffMs</c>, doubling to <c>Streams:TransientRetryBackoffMaxMs</c>, or at once when
/// its store came back (<see cref="ICommitObserver.Reconnections"/>): a backoff grown through an outage of half a
/// minute held processing another half minute after Redis answered again. A recovery
/// re-asserts the stores' current state, so what was processed before the hold is committed first: a backoff shorter
/// than the commit interval let a recovery write changes that a crash would then undo.
/// </summary>
/// <param name="commitProcessed">Commits what the thread has processed (nothing when there is nothing to commit).</param>
internal sealed class ProcessingHold(StreamThreadContext context, Action commitProcessed)
{
    private long _recoverAt;
    private int _refusals;
    private long _reconnectionsAtLastTry;
    private string? _reason;

    /// <summary>Whether processing waited at the last <see cref="Check"/>.</summary>
    public bool Holding => _reason is not null;

    /// <summary>True while processing must wait. Tries a due recovery first.</summary>
    public bool Check(IOwnedStores owned)
    {
        var unavailable = Unavailable();
        if (unavailable is null)
        {
            Release();
            return false;
        }

        var now = context.Time.GetTimestamp();
        if (_reason is null)
        {
            _reason = unavailable;
            _refusals = 1;
            _recoverAt = now + Ticks(context.Streams.TransientRetryBackoffAfter(_refusals));
            _reconnectionsAtLastTry = Reconnections();
            context.Status.Hold(unavailable);
            Log.ProcessingHeld(context.Logger, context.ClientId, unavailable);
            return true;
        }

        var reconnections = Reconnections();
        if (now < _recoverAt && reconnections == _reconnectionsAtLastTry)
        {
            return true;
        }

        _reconnectionsAtLastTry = reconnections;
        commitProcessed();
        foreach (var observer in context.Observers.Where(o => o.Unavailable is not null))
        {
            observer.Recover(owned);
        }

        if (Unavailable() is null)
        {
            Release();
            return false;
        }

        _recoverAt = now + Ticks(context.Streams.TransientRetryBackoffAfter(++_refusals));
        return true;
    }

    private string? Unavailable() => context.Observers.Select(o => o.Unavailable).FirstOrDefault(u => u is not null);

    private long Reconnections() => context.Observers.Sum(o => o.Reconnections);

    private void Release()
    {
        if (_reason is not null)
        {
            _reason = null;
            context.Status.Hold(null);
            Log.ProcessingResumed(context.Logger, context.ClientId);
        }
    }

    private long Ticks(int milliseconds) => context.Time.TimestampFrequency * milliseconds / 1_000;
}
