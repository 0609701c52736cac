using System.Collections.Immutable;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;

namespace Customer360.Streaming.Domain.Context;

/// <summary>What an event did to a context.</summary>
public enum ReductionOutcome
{
    Applied,

    /// <summary>Older than the grace period allows: counted and dropped.</summary>
    Late,

    /// <summary>Superseded by newer information (an older GPS fix, say): nothing changed.</summary>
    Superseded,

    /// <summary>The same event (by id) was applied already: a duplicate from the producer.</summary>
    Duplicate,

    /// <summary>Not kept because the customer has not consented (location without location consent).</summary>
    NoConsent,
}

/// <summary>A context after an event, and what the event did.</summary>
public sealed record Reduction(CustomerContext Context, ReductionOutcome Outcome);

/// <summary>
/// The pure reducer <c>(context, event) → context'</c>. Event time decides everything: each attribute group keeps
/// the time of the event that set it and ignores older ones, so out-of-order events within the grace period end in
/// the same state as in-order ones. No clock, no I/O: the same events give the same context.
/// </summary>
public sealed class ContextReducer(ContextSettings settings, StoreDirectory stores)
{
    public ContextSettings Settings { get; } = settings;

    /// <param name="source">The input record the event came in, kept in the group's provenance (null: not known, as in some tests).</param>
    public Reduction Apply(CustomerContext context, ChannelEvent channelEvent, Triggers.SourceRef? source = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(channelEvent);
        // Judged within the event's own group: a CRM export stamped later than the channel events, or one fast
        // channel, must not make another channel's events late.
        var group = GroupOf(channelEvent);
        if (context.Provenance.TryGetValue(group, out var newest) && channelEvent.EventTimeMs < newest.EventTimeMs - (long)Settings.Grace.TotalMilliseconds)
        {
            return new Reduction(context, ReductionOutcome.Late);
        }

        if (context.RecentEvents.Contains(channelEvent.EventId))
        {
            return new Reduction(context, ReductionOutcome.Duplicate);
        }

        var (next, outcome) = channelEvent switch
        {
            ClickEvent click => (context with { Web = Web(context.Web, click) }, ReductionOutcome.Applied),
            AppEvent app => (context with { App = App(context.App, app) }, ReductionOutcome.Applied),
            LocationFix fix => Location(context, fix),
            BeaconSighting sighting => InStore(context, sighting),
            RelationshipProfile profile => Relationship(context, profile),
            _ => throw new ArgumentException($"No reducer for {channelEvent.GetType().Name}.", nameof(channelEvent)),
        };
        if (outcome != ReductionOutcome.Applied)
        {
            return new Reduction(context, outcome);
        }

        var provenance = context.Provenance.TryGetValue(group, out var current) && current.EventTimeMs > channelEvent.EventTimeMs
            ? context.Provenance
            : context.Provenance.SetItem(group, new Provenance(channelEvent.SourceTopic, channelEvent.EventId, channelEvent.EventTimeMs, source?.Partition ?? -1, source?.Offset ?? -1));
        return new Reduction(
            next with
            {
                Version = context.Version + 1,
                AsOfMs = Math.Max(context.AsOfMs, channelEvent.EventTimeMs),
                Provenance = provenance,
                RecentEvents = context.RecentEvents.With(new AppliedEvent(channelEvent.EventId, channelEvent.EventTimeMs), Settings.DuplicateMemory),
            },
            ReductionOutcome.Applied);
    }

    /// <summary>The attribute group an event sets, as named in the provenance.</summary>
    private static string GroupOf(ChannelEvent channelEvent) => channelEvent switch
    {
        ClickEvent => "web",
        AppEvent => "app",
        LocationFix => "location",
        BeaconSighting => "inStore",
        RelationshipProfile => "relationship",
        _ => throw new ArgumentException($"No reducer for {channelEvent.GetType().Name}.", nameof(channelEvent)),
    };

    private WebView Web(WebView web, ClickEvent click)
    {
        var t = click.EventTimeMs;
        var isNewest = t >= web.LastActivityMs;
        var newSession = web.LastActivityMs < 0 || (isNewest && t - web.LastActivityMs > (long)Settings.SessionGap.TotalMilliseconds);
        var next = web with
        {
            SessionId = newSession || isNewest ? click.SessionId : web.SessionId,
            SessionStartedMs = newSession ? t : Math.Min(web.SessionStartedMs, t),
            LastActivityMs = Math.Max(web.LastActivityMs, t),
            PagesInSession = (newSession ? 0 : web.PagesInSession) + (click.Type is ClickType.PageView or ClickType.ProductView ? 1 : 0),
            LastPageUrl = isNewest ? click.Url : web.LastPageUrl,
        };

        if (click.Category is { } category && click.Type is ClickType.PageView or ClickType.ProductView)
        {
            var horizon = Math.Max(next.LastActivityMs, t) - (long)Settings.ViewHistory.TotalMilliseconds;
            next = next with { RecentViews = WithView(next.RecentViews, new Viewed(category, t), horizon, Settings.MaxRecentViews) };
        }

        switch (click.Type)
        {
            case ClickType.AddToCart or ClickType.RemoveFromCart when click.ProductId is { } product
                && (next.CartQuantities.ContainsKey(product) || next.CartQuantities.Count < Settings.MaxCartProducts):
                // Adds and removes commute, so their order within the grace period does not matter.
                var delta = (click.Quantity ?? 1) * (click.Type == ClickType.AddToCart ? 1 : -1);
                var quantity = next.CartQuantities.GetValueOrDefault(product) + delta;
                next = next with { CartQuantities = quantity == 0 ? next.CartQuantities.Remove(product) : next.CartQuantities.SetItem(product, quantity) };
                break;
            case ClickType.Purchase when t >= next.CartUpdatedMs:
                next = next with { CartQuantities = next.CartQuantities.Clear(), CartValue = 0, CartUpdatedMs = t };
                return next;
            case ClickType.Search when t >= next.LastSearchMs:
                next = next with { LastSearch = click.SearchQuery, LastSearchMs = t };
                break;
        }

        // The producer reports the cart total after the change: the newest report is the truth.
        return click.CartValue is { } total && t >= next.CartUpdatedMs && click.Type != ClickType.Purchase
            ? next with { CartValue = total, CartUpdatedMs = t }
            : next;
    }

    /// <summary>
    /// The recent views with one more, in (time, category) order, without those at or before <paramref name="horizonMs"/>
    /// and without the oldest beyond <paramref name="max"/>. The list is always kept in that order (here and in
    /// <see cref="ContextMerge"/>), so the view goes in at its place and the expired ones are a prefix: a few new nodes
    /// of the immutable list per view, where sorting and rebuilding all of it (up to 200) cost a fifth of the reducer's bytes.
    /// </summary>
    private static ImmutableList<Viewed> WithView(ImmutableList<Viewed> views, Viewed view, long horizonMs, int max)
    {
        var at = views.Count;
        while (at > 0 && Compare(views[at - 1], view) > 0)
        {
            at--;
        }

        var next = views.Insert(at, view);
        var expired = 0;
        while (expired < next.Count && next[expired].AtMs <= horizonMs)
        {
            expired++;
        }

        var drop = Math.Max(expired, next.Count - max);
        return drop == 0 ? next : next.RemoveRange(0, drop);

        static int Compare(Viewed a, Viewed b) => a.AtMs != b.AtMs ? a.AtMs.CompareTo(b.AtMs) : string.CompareOrdinal(a.Category, b.Category);
    }

    private static AppView App(AppView app, AppEvent e)
    {
        var t = e.EventTimeMs;
        var newest = t >= app.StateChangedMs;
        return e.Type switch
        {
            AppEventType.AppOpen => app with
            {
                Foreground = newest || app.Foreground,
                StateChangedMs = Math.Max(app.StateChangedMs, t),
                LastOpenMs = Math.Max(app.LastOpenMs, t),
            },
            AppEventType.AppBackground => newest ? app with { Foreground = false, StateChangedMs = t } : app,
            AppEventType.ScreenView => app with
            {
                Foreground = newest || app.Foreground,
                StateChangedMs = Math.Max(app.StateChangedMs, t),
                LastScreen = t >= app.LastScreenMs ? e.Screen : app.LastScreen,
                LastScreenMs = Math.Max(app.LastScreenMs, t),
            },
            AppEventType.PushOpened => app with { PushOpened = app.PushOpened + 1 },
            AppEventType.PushDismissed => app with { PushDismissed = app.PushDismissed + 1 },
            _ => app,
        };
    }

    /// <summary>
    /// The newest fix wins unless it is clearly worse: within <see cref="ContextSettings.SameFixWindow"/> of the
    /// current fix, a fix whose accuracy radius is more than <see cref="ContextSettings.ClearlyWorseAccuracyFactor"/>
    /// times the other's loses to it, whichever arrived first, so arrival order does not change the outcome.
    /// </summary>
    private (CustomerContext, ReductionOutcome) Location(CustomerContext context, LocationFix fix)
    {
        if (!context.HasLocationConsent)
        {
            return (context, ReductionOutcome.NoConsent);
        }

        var current = context.Location;
        var sameMoment = current.FixTimeMs >= 0 && Math.Abs(fix.EventTimeMs - current.FixTimeMs) <= (long)Settings.SameFixWindow.TotalMilliseconds;
        var factor = Settings.ClearlyWorseAccuracyFactor;
        var keepCurrent = fix.EventTimeMs >= current.FixTimeMs
            ? sameMoment && fix.AccuracyMeters > current.AccuracyMeters * factor
            : !sameMoment || current.AccuracyMeters <= fix.AccuracyMeters * factor;
        if (keepCurrent)
        {
            return (context, ReductionOutcome.Superseded);
        }

        var nearest = stores.Nearest(fix.Latitude, fix.Longitude);
        var state = fix.AccuracyMeters > Settings.MaxAccuracyForPresenceMeters || nearest is null
            ? current.State
            : Presence(current, nearest.Value.Store, nearest.Value.DistanceMeters);
        var next = current with
        {
            // The time of the fix whose position is shown (an older, clearly better fix can replace a newer one).
            FixTimeMs = fix.EventTimeMs,
            AccuracyMeters = fix.AccuracyMeters,
            NearestStoreId = nearest?.Store.StoreId,
            DistanceMeters = nearest is null ? null : Math.Round(nearest.Value.DistanceMeters, 1),
            State = state,
            StateSinceMs = state == current.State ? current.StateSinceMs : fix.EventTimeMs,
        };
        return (context with { Location = next }, ReductionOutcome.Applied);
    }

    /// <summary>
    /// The context as it stands at <paramref name="timeMs"/>: a store presence not renewed for longer than
    /// <see cref="ContextSettings.StoreVisitTimeout"/> has lapsed (the same instance when none did). A beacon visit
    /// ends, as an EXIT would have ended it; a GPS state in or near a store turns away from the time it lapsed.
    /// Beacons miss exits and the app sends fixes only while it runs, so such a customer stayed present for good. A
    /// customer's step applies the event to this, and rules see it as the context before the event, so coming back is
    /// an arrival again.
    /// </summary>
    public CustomerContext EndStalePresence(CustomerContext context, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (visitLapsesAtMs, locationLapsesAtMs) = LapseTimes(context);
        var visitLapsed = visitLapsesAtMs <= timeMs;
        var locationLapsed = locationLapsesAtMs <= timeMs;
        var (visit, location) = (context.InStore, context.Location);
        return visitLapsed || locationLapsed
            ? context with
            {
                InStore = visitLapsed ? visit with { StoreId = null, ZoneId = null, PendingZoneId = null } : visit,
                Location = locationLapsed ? location with { State = PresenceState.Away, StateSinceMs = location.FixTimeMs + (long)Settings.StoreVisitTimeout.TotalMilliseconds } : location,
            }
            : context;
    }

    /// <summary>
    /// The first moment a part of the context's store presence (a beacon visit, a GPS state in or near a store) counts
    /// as lapsed for <see cref="EndStalePresence"/>; null when the customer is in or near no store.
    /// </summary>
    public long? PresenceLapsesAtMs(CustomerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return LapseTimes(context) switch
        {
            ({ } visitMs, { } locationMs) => Math.Min(visitMs, locationMs),
            var (visitMs, locationMs) => visitMs ?? locationMs,
        };
    }

    /// <summary>When each part of the presence lapses, one millisecond past the timeout since it was last renewed; null for a part the customer is not in.</summary>
    private (long? Visit, long? Location) LapseTimes(CustomerContext context)
    {
        var timeoutMs = (long)Settings.StoreVisitTimeout.TotalMilliseconds;
        return (
            context.InStore.StoreId is null ? null : context.InStore.LastSightingMs + timeoutMs + 1,
            context.Location.State is PresenceState.InStore or PresenceState.NearStore ? context.Location.FixTimeMs + timeoutMs + 1 : null);
    }

    /// <summary>Entering needs the radius; leaving needs the radius plus the hysteresis margin.</summary>
    private PresenceState Presence(LocationView current, StoreLocation store, double distance)
    {
        var sameStore = current.NearestStoreId == store.StoreId;
        var inMargin = sameStore && current.State == PresenceState.InStore ? Settings.HysteresisMeters : 0;
        if (distance <= store.RadiusMeters + inMargin)
        {
            return PresenceState.InStore;
        }

        var nearMargin = sameStore && current.State is PresenceState.NearStore or PresenceState.InStore ? Settings.HysteresisMeters : 0;
        return distance <= store.NearRadiusMeters + nearMargin ? PresenceState.NearStore : PresenceState.Away;
    }

    private (CustomerContext, ReductionOutcome) InStore(CustomerContext context, BeaconSighting s)
    {
        if (!context.HasLocationConsent)
        {
            return (context, ReductionOutcome.NoConsent);
        }

        var view = context.InStore;
        var t = s.EventTimeMs;
        if (t < view.LastSightingMs)
        {
            return (context, ReductionOutcome.Superseded);
        }

        InStoreView next;
        if (s.Type == SightingType.Exit)
        {
            next = view.StoreId == s.StoreId ? Accrue(view, t) with { StoreId = null, ZoneId = null, PendingZoneId = null, LastSightingMs = t } : view with { LastSightingMs = t };
        }
        else if (view.StoreId != s.StoreId)
        {
            next = new InStoreView
            {
                StoreId = s.StoreId,
                ZoneId = s.ZoneId,
                EnteredStoreMs = t,
                ZoneEnteredMs = t,
                LastSightingMs = t,
                ZonesVisited = [s.ZoneId],
            };
        }
        else if (s.ZoneId == view.ZoneId)
        {
            next = Accrue(view, t) with { PendingZoneId = null, PendingSinceMs = -1, LastSightingMs = t };
        }
        else if (IsNoise(s) || IsBeyondZoneLimit(view, s.ZoneId))
        {
            // A faint, far sighting of another zone says nothing about leaving this one: keep dwelling here.
            next = Accrue(view, t) with { LastSightingMs = t };
        }
        else if (s.Proximity == Proximity.Immediate
            || (view.PendingZoneId == s.ZoneId && t - view.PendingSinceMs <= (long)Settings.ZoneConfirmWindow.TotalMilliseconds))
        {
            var accrued = Accrue(view, t);
            next = accrued with
            {
                ZoneId = s.ZoneId,
                ZoneEnteredMs = t,
                PendingZoneId = null,
                PendingSinceMs = -1,
                LastSightingMs = t,
                ZonesVisited = accrued.ZonesVisited.Contains(s.ZoneId) ? accrued.ZonesVisited : accrued.ZonesVisited.Add(s.ZoneId),
            };
        }
        else
        {
            next = Accrue(view, t) with { PendingZoneId = s.ZoneId, PendingSinceMs = t, LastSightingMs = t };
        }

        return (context with { InStore = next }, ReductionOutcome.Applied);
    }

    /// <summary>Dwell in the current zone grows by the time since the last sighting, capped per gap.</summary>
    private InStoreView Accrue(InStoreView view, long t)
    {
        if (view.ZoneId is not { } zone || view.LastSightingMs < 0)
        {
            return view;
        }

        var gap = Math.Min(t - view.LastSightingMs, (long)Settings.MaxDwellGap.TotalMilliseconds);
        return view with { DwellMs = view.DwellMs.SetItem(zone, view.DwellMs.GetValueOrDefault(zone) + gap) };
    }

    private bool IsBeyondZoneLimit(InStoreView view, string zone) => view.ZonesVisited.Count >= Settings.MaxZonesPerVisit && !view.ZonesVisited.Contains(zone);

    private bool IsNoise(BeaconSighting s) => s.Rssi < Settings.MinRssi && s.Proximity is Proximity.Far or Proximity.Unknown;

    private static (CustomerContext, ReductionOutcome) Relationship(CustomerContext context, RelationshipProfile profile)
    {
        if (context.Relationship is { } current && current.EventTimeMs > profile.EventTimeMs)
        {
            return (context, ReductionOutcome.Superseded);
        }

        var next = context with { Relationship = profile };
        // Withdrawn location consent takes effect now: drop what was kept under it.
        if (!profile.Consent.Location)
        {
            next = next with { Location = new LocationView(), InStore = new InStoreView() };
        }

        return (next, ReductionOutcome.Applied);
    }
}
