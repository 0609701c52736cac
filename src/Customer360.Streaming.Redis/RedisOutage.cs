using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>
/// The failures that mean Redis did not answer (down, unreachable, or too slow), as opposed to a bug or bad data:
/// every reader of Redis turns them into "unavailable" instead of failing.
/// </summary>
public static class RedisOutage
{
    public static bool Is(Exception error) => error is RedisConnectionException or RedisTimeoutException;
}
