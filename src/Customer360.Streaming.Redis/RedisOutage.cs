using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>
/// The failures that mean Redis cannot serve us now (down, unreachable, too slow, or answering that it refuses for the
/// moment), as opposed to a bug or bad data: every reader of Redis turns them into "unavailable" instead of failing,
/// and the sink holds processing until Redis takes its writes again.
/// </summary>
public static class RedisOutage
{
    /// <summary>
    /// Error prefixes of a server that is there but refuses for a while, with what each means and, where someone must
    /// act, what mends it (in our words, never the server's text): out of memory under <c>noeviction</c>, loading its
    /// dataset after a restart, a replica or a primary without replicas during a failover, a long script, a failed
    /// snapshot that stops writes, a cluster reconfiguring, an ACL that no longer lets the user run its commands (a
    /// setting to mend, as a refused login is: restarting the processor would not mend it). The prefix alone sent
    /// whoever read readiness or the log to Redis's documentation.
    /// </summary>
    private static readonly Dictionary<string, string> RefusingForNow = new(StringComparer.Ordinal)
    {
        ["OOM"] = "Redis is at its maxmemory and refuses writes; raise maxmemory",
        ["LOADING"] = "Redis is loading its dataset after a restart",
        ["READONLY"] = "a replica, which takes no writes; point the connection at the primary",
        ["MASTERDOWN"] = "a replica that lost its primary",
        ["NOREPLICAS"] = "fewer replicas answer than min-replicas-to-write asks",
        ["BUSY"] = "a script is running too long",
        ["MISCONF"] = "a failed snapshot stops writes; see the Redis log",
        ["TRYAGAIN"] = "the cluster is moving the key's slot",
        ["CLUSTERDOWN"] = "the Redis cluster is down",
        ["NOPERM"] = "this Redis user's ACL refuses a command it needs",
    };

    public static bool Is(Exception error) => error switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => RefusalOf(server) is not null,
        _ => false,
    };

    /// <summary>
    /// What the outage was, for logs and health: the exception's type, for a refusal its error prefix and what it means,
    /// and for a lost or refused connection its kind (<c>AuthenticationFailure</c> is not a network problem). Never the
    /// server's text.
    /// </summary>
    public static string Describe(Exception error) => error switch
    {
        RedisServerException server when RefusalOf(server) is { } prefix => $"{nameof(RedisServerException)} {prefix}: {RefusingForNow[prefix]}",
        RedisConnectionException => $"{nameof(RedisConnectionException)} {ConnectionFailure(error)}",
        _ => error.GetType().Name,
    };

    /// <summary>
    /// The kind of a connection failure: a command on a connection that never came up fails as UnableToConnect, and why
    /// it never came up (a refused login, say) is the kind of the deepest connection failure inside it.
    /// </summary>
    public static ConnectionFailureType? ConnectionFailure(Exception error)
    {
        ConnectionFailureType? deepest = null;
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            if (current is RedisConnectionException connection)
            {
                deepest = connection.FailureType;
            }
        }

        return deepest;
    }

    private static string? RefusalOf(RedisServerException error) =>
        RefusingForNow.Keys.FirstOrDefault(prefix => error.Message.StartsWith(prefix + " ", StringComparison.Ordinal) || error.Message == prefix);
}
