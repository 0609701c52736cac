namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>How a partition (or a whole group) is keeping up, in Burrow's terms, in rising severity: a group's is its worst partition's.</summary>
public enum LagStatus
{
    /// <summary>Caught up at some point of the window, or lag shrinking.</summary>
    Ok,

    /// <summary>Committing, but lag never shrank over the window: falling behind.</summary>
    Warn,

    /// <summary>The committed offset went backwards (a reset or a replay).</summary>
    Rewind,

    /// <summary>Members are in the group but the committed offset has not moved while there is lag.</summary>
    Stall,

    /// <summary>Nobody commits any more: the time since the last commit exceeds the span of commits seen before it.</summary>
    Stop,
}

/// <summary>One observation of a partition: when, the group's committed offset, and the high watermark.</summary>
public sealed record LagSample(long AtMs, long? Committed, long HighWatermark)
{
    public long Lag => Committed is { } committed ? Math.Max(0, HighWatermark - committed) : HighWatermark;
}

/// <summary>
/// Burrow's evaluation of a window of samples (reliability-ops §4), with one adaptation: a poller sees committed
/// offsets, not commit events, so a commit that does not move the offset is invisible. Membership stands in for them:
/// an offset standing still with lag is STALL while the group has (or may have) members, STOP when it has none; an
/// offset that moved and then stood still longer than it moved is STOP unless a member is known to be there.
/// </summary>
public static class LagEvaluator
{
    /// <param name="window">Samples of one partition, oldest first.</param>
    /// <param name="groupHasMembers">Whether the group has members now (a consumer is there); null when the cluster cannot say.</param>
    public static LagStatus Partition(IReadOnlyList<LagSample> window, long nowMs, bool? groupHasMembers)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Count == 0 || window.Any(s => s.Lag == 0))
        {
            return LagStatus.Ok;
        }

        for (var i = 1; i < window.Count; i++)
        {
            if (window[i].Committed < window[i - 1].Committed)
            {
                return LagStatus.Rewind;
            }
        }

        // When each committed offset was first seen: the poller's view of the commit times.
        var firstCommitMs = window[0].AtMs;
        var lastCommitMs = window[0].AtMs;
        for (var i = 1; i < window.Count; i++)
        {
            if (window[i].Committed != window[i - 1].Committed)
            {
                lastCommitMs = window[i].AtMs;
            }
        }

        // Standing still all window: stuck while someone is (or may be) there, stopped once nobody is.
        if (lastCommitMs == firstCommitMs)
        {
            return groupHasMembers == false ? LagStatus.Stop : LagStatus.Stall;
        }

        // Moved, then stood still longer than it moved: stopped, unless a member is known to be there.
        if (nowMs - lastCommitMs > lastCommitMs - firstCommitMs)
        {
            return groupHasMembers == true ? LagStatus.Stall : LagStatus.Stop;
        }

        for (var i = 1; i < window.Count; i++)
        {
            if (window[i].Lag < window[i - 1].Lag)
            {
                return LagStatus.Ok;
            }
        }

        return LagStatus.Warn;
    }

    /// <summary>The group's status: its worst partition's.</summary>
    public static LagStatus Group(IEnumerable<LagStatus> partitions) => partitions.DefaultIfEmpty(LagStatus.Ok).Max();
}
