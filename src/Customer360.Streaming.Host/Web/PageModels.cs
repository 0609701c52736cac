using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Web;

/// <summary>What the single customer view shows: the context as Redis holds it, and the customer's latest decisions.</summary>
/// <param name="Context">Null while Redis has no context for the id.</param>
/// <param name="Problem">Why nothing can be shown (Redis unreachable), else null.</param>
public sealed record CustomerPageModel(
    string CustomerId, CustomerContext? Context, IReadOnlyList<ObservedDecision> Decisions, StoreLocation? NearestStore, long NowMs, string? Problem)
{
    /// <summary>That what is shown may be out of date, and why (<see cref="PageData.Staleness"/>), else null.</summary>
    public string? Staleness { get; init; }
}

/// <summary>One present customer as store staff may see them: a pseudonym, never the id.</summary>
public sealed record StoreVisitor(
    string VisitorRef, bool Known, string? Tier, IReadOnlyList<string> PreferredCategories, decimal OpenCartValue, string? ZoneId, long SinceMs);

/// <summary>What the store floor shows: who is present, where, the latest assists, and the occupancy per zone.</summary>
public sealed record StoreFloorModel(
    StoreLocation Store, IReadOnlyList<StoreVisitor> Present, IReadOnlyList<ObservedAssist> Assists, IReadOnlyList<KeyValuePair<string, int>> Zones, long NowMs, string? Problem)
{
    /// <summary>Everyone present, also those beyond the rows shown.</summary>
    public int PresentCount { get; init; } = Present.Count;

    /// <summary>That what is shown may be out of date, and why (<see cref="PageData.Staleness"/>), else null.</summary>
    public string? Staleness { get; init; }
}

/// <summary>A store and how many customers are in it now.</summary>
public sealed record StoreCount(StoreLocation Store, int Present);

/// <summary>What the overview shows: stores and counts, the processor's pace and lag, and the latest decisions.</summary>
public sealed record OverviewModel(
    IReadOnlyList<StoreCount> Stores, double EventsPerSecond, long Lag, double LagSeconds, string Phase, IReadOnlyList<ObservedDecision> Decisions,
    bool FeedFollowing, long UnreadableOutputs, long NowMs, string? Problem)
{
    /// <summary>
    /// While the processor is not running (a thread joining, restoring or being replaced), that thread's partitions are
    /// nobody's and <see cref="Lag"/> counts only the others.
    /// </summary>
    public bool LagIsLowerBound => Phase != nameof(WorkerPhase.Running);

    /// <summary>Records this process's stream threads dead-lettered since it started (<c>c360 dead-letters summary</c> says which and why).</summary>
    public long DeadLetters { get; init; }

    /// <summary>Input records the broker deleted before this process's stream threads read them: lost to every context.</summary>
    public long DeletedUnread { get; init; }

    /// <summary>That what is shown may be out of date, and why (<see cref="PageData.Staleness"/>), else null.</summary>
    public string? Staleness { get; init; }
}
