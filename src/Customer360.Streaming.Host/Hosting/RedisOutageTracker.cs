namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Says when Redis went away and when it came back, so that one outage is logged once, with the failure that began it,
/// and once more when it ends.
/// </summary>
/// <remarks>
/// The multiplexer keeps a command and a subscription connection per server and reports each one's failure and return
/// on the thread pool. The reports of one outage run at once in any order; after a dropped connection the multiplexer
/// often reconnects within a millisecond, so a failure report may run after the return it preceded; at startup it
/// reports returns with no failure before them; and after a quick reconnect it may not report the next failure of the
/// command connection at all. Counting reports went wrong each of those ways, so a report is only the moment to look at
/// whether commands can be sent now, and this tracks changes of that.
/// </remarks>
internal sealed class RedisOutageTracker
{
    private readonly Lock _lock = new();
    private string? _failureReason;

    /// <summary>Why Redis is unavailable (the failure that began the outage), or null while it is not.</summary>
    public string? FailureReason
    {
        get
        {
            lock (_lock)
            {
                return _failureReason;
            }
        }
    }

    /// <summary>
    /// Looks at the multiplexer after one of its reports: whether commands can be sent now, and the failure reported
    /// (null for a return). A return found while commands still cannot be sent ends nothing (the subscription
    /// connection came back first); a failure found once commands flow again begins nothing (a blip already over, or
    /// the subscription connection alone).
    /// </summary>
    public RedisOutageChange Observe(bool canSendCommands, string? failure)
    {
        lock (_lock)
        {
            if (canSendCommands && _failureReason is not null)
            {
                _failureReason = null;
                return RedisOutageChange.Ended;
            }

            if (!canSendCommands && _failureReason is null && failure is not null)
            {
                _failureReason = failure;
                return RedisOutageChange.Began;
            }

            return RedisOutageChange.None;
        }
    }
}

/// <summary>What one look at the multiplexer changed.</summary>
internal enum RedisOutageChange
{
    None,
    Began,
    Ended,
}
