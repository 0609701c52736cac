namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Follows the multiplexer's reports about its physical connections (a command and a subscription connection per
/// server) and says when Redis went away and when it came back, so that one outage is logged once however many
/// connections it cut.
/// </summary>
/// <remarks>
/// The multiplexer raises its reports on the thread pool, so they can be handled out of order: a connection's return
/// may be handled before its own failure. Each connection therefore keeps a balance of failures minus returns, and an
/// outage lasts while some balance is positive; a return handled early leaves a negative balance that its late failure
/// cancels instead of starting an outage nothing would end.
/// </remarks>
internal sealed class RedisOutageTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _failuresNotYetRestored = new(StringComparer.Ordinal);
    private string? _failureReason;

    /// <summary>Why Redis is unavailable (the first failure of the outage), or null while it is not.</summary>
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

    /// <summary>A connection failed; true when this begins an outage.</summary>
    public bool Failed(string connection, string reason)
    {
        lock (_lock)
        {
            var balance = Adjust(connection, +1);
            return balance > 0 && Begin(reason);
        }
    }

    /// <summary>
    /// The first attempt to reach Redis failed before any connection reported: an outage that the first connection
    /// to come back ends. True when this begins an outage.
    /// </summary>
    public bool FailedAtStartup(string reason)
    {
        lock (_lock)
        {
            return Begin(reason);
        }
    }

    /// <summary>A connection is back; true when this ends the outage.</summary>
    public bool Restored(string connection)
    {
        lock (_lock)
        {
            Adjust(connection, -1);
            if (_failureReason is null || _failuresNotYetRestored.Values.Any(balance => balance > 0))
            {
                return false;
            }

            _failureReason = null;
            return true;
        }
    }

    private bool Begin(string reason)
    {
        if (_failureReason is not null)
        {
            return false;
        }

        _failureReason = reason;
        return true;
    }

    private int Adjust(string connection, int change)
    {
        var balance = _failuresNotYetRestored.GetValueOrDefault(connection) + change;
        if (balance == 0)
        {
            _failuresNotYetRestored.Remove(connection);
        }
        else
        {
            _failuresNotYetRestored[connection] = balance;
        }

        return balance;
    }
}
