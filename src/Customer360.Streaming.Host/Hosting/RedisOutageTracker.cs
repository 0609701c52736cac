namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Says when Redis went away and when it came back, so that one outage is logged once, with the failure that began it,
/// and once more when it ends.
/// </summary>
/// <remarks>
/// The multiplexer reports a connection's failure and its return on the thread pool, and after a dropped connection it
/// often reconnects within a millisecond: both reports then run at once, in either order, and each finds the connection
/// back. So a report says that something happened, and whether commands can be sent now says where things stand:
/// a failure found with the connection back is a blip, begun and ended at once, and a return found while commands still
/// cannot be sent ends nothing. Only the command connection's reports count: the processor subscribes to nothing, and
/// counting both connections' reports logged one outage twice or left one standing with Redis back.
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

    /// <summary>The command connection failed (or the first attempt to reach Redis did); what that changed.</summary>
    public RedisOutageChange Failed(string reason, bool canSendCommands)
    {
        lock (_lock)
        {
            if (_failureReason is not null)
            {
                return RedisOutageChange.None;
            }

            if (canSendCommands)
            {
                return RedisOutageChange.Blip;
            }

            _failureReason = reason;
            return RedisOutageChange.Began;
        }
    }

    /// <summary>The command connection is back; true when this ends the outage.</summary>
    public bool Restored(bool canSendCommands)
    {
        lock (_lock)
        {
            if (_failureReason is null || !canSendCommands)
            {
                return false;
            }

            _failureReason = null;
            return true;
        }
    }
}

/// <summary>What a failure report changed.</summary>
internal enum RedisOutageChange
{
    /// <summary>Redis was unavailable already.</summary>
    None,

    /// <summary>An outage began.</summary>
    Began,

    /// <summary>The connection failed and was back before the report was handled: an outage begun and ended.</summary>
    Blip,
}
