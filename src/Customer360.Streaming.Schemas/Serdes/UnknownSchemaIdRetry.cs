using System.Collections.Concurrent;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// How long a schema id the registry does not know is treated as the registry's problem rather than the record's.
/// A registry restored empty, or restored after the processor restarted, answers "not found" for ids that exist: for
/// <see cref="Window"/> after an id was first missed, the record is retried (the partition pauses) instead of being
/// dead-lettered. Shared by the deserializers of one process; thread-safe.
/// </summary>
public sealed class UnknownSchemaIdRetry(TimeSpan window, TimeProvider clock)
{
    /// <summary>No retry: an unknown id is a permanent failure at once.</summary>
    public static readonly UnknownSchemaIdRetry None = new(TimeSpan.Zero, TimeProvider.System);

    private readonly ConcurrentDictionary<int, long> _firstMissedAt = new();

    public TimeSpan Window { get; } = window;

    /// <summary>Whether a record with this unknown id should be retried rather than dead-lettered now.</summary>
    public bool ShouldRetry(int schemaId)
    {
        if (Window <= TimeSpan.Zero)
        {
            return false;
        }

        var firstMissed = _firstMissedAt.GetOrAdd(schemaId, _ => clock.GetTimestamp());
        return clock.GetElapsedTime(firstMissed) < Window;
    }

    /// <summary>The registry knows the id (again): a later miss starts a new window.</summary>
    public void Found(int schemaId) => _firstMissedAt.TryRemove(schemaId, out _);
}
