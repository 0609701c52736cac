using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.Context;

/// <summary>Where an attribute group's current value came from and how fresh it is.</summary>
/// <param name="Partition">Partition of the input record in <paramref name="SourceTopic"/> (−1 when not known: written before it was kept).</param>
/// <param name="Offset">Offset of the input record (−1 when not known).</param>
public sealed record Provenance(string SourceTopic, Guid EventId, long EventTimeMs, int Partition = -1, long Offset = -1);

/// <summary>
/// An applied event, remembered to recognise duplicates: its id and time. A struct, kept in an array: a context holds
/// up to 64 of them and every applied event makes a new array, which the garbage collector copies without tracing,
/// where a list of records was two objects per entry to trace and promote.
/// </summary>
public readonly record struct AppliedEvent(Guid Id, long AtMs);

/// <summary>A category or product seen at a time, for sliding-window counts.</summary>
public sealed record Viewed(string Category, long AtMs);

/// <summary>The web channel: session, pages, recent views, cart and search.</summary>
public sealed record WebView
{
    public string? SessionId { get; init; }

    public long SessionStartedMs { get; init; } = -1;

    public long LastActivityMs { get; init; } = -1;

    public int PagesInSession { get; init; }

    public string? LastPageUrl { get; init; }

    /// <summary>Views of the last 24 hours (bounded), oldest first.</summary>
    public ImmutableList<Viewed> RecentViews { get; init; } = [];

    /// <summary>
    /// Net quantity per product from every add and remove applied. It may dip below zero while a remove arrives before
    /// its add; keeping the net sum (rather than clamping) is what makes adds and removes commute.
    /// </summary>
    public ImmutableSortedDictionary<string, int> CartQuantities { get; init; } = OrdinalMap.Empty<int>();

    /// <summary>Products in the cart with their quantity.</summary>
    public IReadOnlyDictionary<string, int> CartItems => CartQuantities.Where(q => q.Value > 0).ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);

    /// <summary>How many items are in the cart (the sum of <see cref="CartItems"/>), counted without building it.</summary>
    public int ItemsInCart()
    {
        var items = 0;
        foreach (var (_, quantity) in CartQuantities)
        {
            items += Math.Max(quantity, 0);
        }

        return items;
    }

    public decimal CartValue { get; init; }

    public long CartUpdatedMs { get; init; } = -1;

    public string? LastSearch { get; init; }

    public long LastSearchMs { get; init; } = -1;

    /// <summary>
    /// Views per category within <paramref name="windowMs"/> before <paramref name="asOfMs"/>, most viewed first, then
    /// by name. Counted in this thread's dictionary and sorted in place: every changed context's snapshot asks at each
    /// commit, and grouping and ordering with LINQ built a dozen objects per call.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> CategoryCounts(long windowMs, long asOfMs)
    {
        var counts = CountViewsWithin(windowMs, asOfMs);
        if (counts.Count == 0)
        {
            return [];
        }

        var sorted = new KeyValuePair<string, int>[counts.Count];
        ((ICollection<KeyValuePair<string, int>>)counts).CopyTo(sorted, 0);
        counts.Clear();
        Array.Sort(sorted, MostViewedFirst);
        return sorted;
    }

    /// <summary>How many views fall within <paramref name="windowMs"/> before <paramref name="asOfMs"/>: the sum of <see cref="CategoryCounts"/>, counted without building it (rules ask per event).</summary>
    public int ViewsWithin(long windowMs, long asOfMs)
    {
        var views = 0;
        foreach (var view in RecentViews)
        {
            views += Within(view, windowMs, asOfMs) ? 1 : 0;
        }

        return views;
    }

    /// <summary>The first of <see cref="CategoryCounts"/> (most viewed, then by name), or null: counted, not sorted (rules ask per event).</summary>
    public string? TopCategoryWithin(long windowMs, long asOfMs)
    {
        var counts = CountViewsWithin(windowMs, asOfMs);
        KeyValuePair<string, int>? top = null;
        foreach (var count in counts)
        {
            top = top is { } best && MostViewedFirst(best, count) <= 0 ? best : count;
        }

        counts.Clear();
        return top?.Key;
    }

    private static bool Within(Viewed view, long windowMs, long asOfMs) => view.AtMs > asOfMs - windowMs && view.AtMs <= asOfMs;

    private static int MostViewedFirst(KeyValuePair<string, int> a, KeyValuePair<string, int> b) =>
        a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key);

    /// <summary>Views per category within the window, in this thread's dictionary; the caller clears it after use.</summary>
    private Dictionary<string, int> CountViewsWithin(long windowMs, long asOfMs)
    {
        var counts = t_counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var view in RecentViews)
        {
            if (Within(view, windowMs, asOfMs))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, view.Category, out _)++;
            }
        }

        return counts;
    }

    /// <summary>The counting scratch of <see cref="CategoryCounts"/> and <see cref="TopCategoryWithin"/>, one per thread: cleared after each use, it holds nothing between calls.</summary>
    [ThreadStatic]
    private static Dictionary<string, int>? t_counts;
}

/// <summary>The mobile app.</summary>
public sealed record AppView
{
    public bool Foreground { get; init; }

    public long StateChangedMs { get; init; } = -1;

    public string? LastScreen { get; init; }

    public long LastScreenMs { get; init; } = -1;

    public long LastOpenMs { get; init; } = -1;

    public int PushOpened { get; init; }

    public int PushDismissed { get; init; }
}

/// <summary>Presence relative to stores, from GPS.</summary>
public enum PresenceState
{
    Unknown,
    Away,
    NearStore,
    InStore,
}

/// <summary>The latest accepted fix, coarsened to what triggers need.</summary>
public sealed record LocationView
{
    public long FixTimeMs { get; init; } = -1;

    public double AccuracyMeters { get; init; } = double.MaxValue;

    public PresenceState State { get; init; } = PresenceState.Unknown;

    public string? NearestStoreId { get; init; }

    public double? DistanceMeters { get; init; }

    /// <summary>When <see cref="State"/> last changed (enter and exit times for triggers).</summary>
    public long StateSinceMs { get; init; } = -1;
}

/// <summary>Presence inside a store, from beacons.</summary>
public sealed record InStoreView
{
    public string? StoreId { get; init; }

    public string? ZoneId { get; init; }

    public long EnteredStoreMs { get; init; } = -1;

    public long ZoneEnteredMs { get; init; } = -1;

    public long LastSightingMs { get; init; } = -1;

    /// <summary>A zone seen once but not yet confirmed (debounce against flapping between neighbouring beacons).</summary>
    public string? PendingZoneId { get; init; }

    public long PendingSinceMs { get; init; } = -1;

    public ImmutableList<string> ZonesVisited { get; init; } = [];

    /// <summary>Milliseconds spent per zone in this visit.</summary>
    public ImmutableSortedDictionary<string, long> DwellMs { get; init; } = OrdinalMap.Empty<long>();
}

/// <summary>Counters of sent triggers and their responses.</summary>
/// <param name="IgnoredInRow">Ignored or dismissed since the last accepted one: what fatigue is judged on.</param>
/// <param name="LastIgnoredMs">When the last one was ignored (−1 never), where a fatigue back-off starts.</param>
public sealed record FeedbackCounters(int Sent = 0, int Accepted = 0, int Ignored = 0, int IgnoredInRow = 0, long LastIgnoredMs = -1);

/// <summary>Trigger feedback: keyed by rule id, and by channel (push, email, sms, in_app, store).</summary>
public sealed record FeedbackView
{
    public ImmutableSortedDictionary<string, FeedbackCounters> ByRule { get; init; } = OrdinalMap.Empty<FeedbackCounters>();

    public ImmutableSortedDictionary<string, FeedbackCounters> ByChannel { get; init; } = OrdinalMap.Empty<FeedbackCounters>();

    public FeedbackCounters Rule(string ruleId) => ByRule.GetValueOrDefault(ruleId) ?? new FeedbackCounters();

    public FeedbackCounters Channel(string channel) => ByChannel.GetValueOrDefault(channel) ?? new FeedbackCounters();

    /// <summary>Applies <paramref name="change"/> to the counters of a rule and of its channel.</summary>
    public FeedbackView Update(string ruleId, string channel, Func<FeedbackCounters, FeedbackCounters> change) => this with
    {
        ByRule = ByRule.SetItem(ruleId, change(Rule(ruleId))),
        ByChannel = ByChannel.SetItem(channel, change(Channel(channel))),
    };
}

/// <summary>The live situational context of one customer (or one anonymous identifier).</summary>
public sealed record CustomerContext
{
    /// <summary>Customer id, or <c>anon:&lt;identifier&gt;</c> before the identifier is linked.</summary>
    public required string ContextId { get; init; }

    public bool Known => !ContextId.StartsWith(AnonymousPrefix, StringComparison.Ordinal);

    /// <summary>Grows by one with every applied event; Redis never goes back to a lower version.</summary>
    public long Version { get; init; }

    /// <summary>Largest event time applied (−1 before the first).</summary>
    public long AsOfMs { get; init; } = -1;

    public RelationshipProfile? Relationship { get; init; }

    /// <summary>Identifiers linked to this customer (sorted), so an erasure can remove the links too.</summary>
    public ImmutableList<string> Identifiers { get; init; } = [];

    public WebView Web { get; init; } = new();

    public AppView App { get; init; } = new();

    public LocationView Location { get; init; } = new();

    public InStoreView InStore { get; init; } = new();

    /// <summary>How the customer responds to triggers, per rule and per channel (the feedback loop).</summary>
    public FeedbackView Feedback { get; init; } = new();

    /// <summary>
    /// The latest applied events by event time (bounded), so a producer's duplicate is recognised and not applied
    /// twice. Kept in event-time order, so the list depends on which events were applied, not on their arrival order.
    /// </summary>
    public RecentEvents RecentEvents { get; init; } = RecentEvents.Empty;

    /// <summary>
    /// The real-time segments (<c>topology/segments.yaml</c>) the customer is in, with the time each was entered;
    /// re-judged after every step that changes the context.
    /// </summary>
    public ImmutableSortedDictionary<string, long> Segments { get; init; } = OrdinalMap.Empty<long>();

    /// <summary>The segment names, as rules read them (<c>context.segments</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> SegmentNames => [.. Segments.Keys];

    /// <summary>Per attribute group (web, app, location, inStore, relationship): source and freshness.</summary>
    public ImmutableSortedDictionary<string, Provenance> Provenance { get; init; } = OrdinalMap.Empty<Provenance>();

    public const string AnonymousPrefix = "anon:";

    public static CustomerContext Empty(string contextId) => new() { ContextId = contextId };

    public CustomerContext WithIdentifier(string identifier)
    {
        var index = Identifiers.BinarySearch(identifier, StringComparer.Ordinal);
        return index >= 0 ? this : this with { Identifiers = Identifiers.Insert(~index, identifier) };
    }

    public CustomerContext WithoutIdentifier(string identifier) => this with { Identifiers = Identifiers.Remove(identifier, StringComparer.Ordinal) };

    /// <summary>Location and in-store presence are kept only with explicit location consent (fail closed).</summary>
    public bool HasLocationConsent => Relationship?.Consent.Location == true;
}
