using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>
/// What a rule sees: the event that arrived, the context after it (<c>context.*</c>) and before it (<c>before.*</c>,
/// for transitions such as "just entered"), and the task's stream time ("now").
/// </summary>
/// <param name="Event">
/// Null where no event is being judged: a segment re-evaluated after a response or a timer, an offer's eligibility at a
/// timer. Those conditions are compiled without <c>event.*</c> variables, so none of them reads it.
/// </param>
public sealed record RuleScope(CustomerContext Context, CustomerContext Before, ChannelEvent? Event, long StreamTimeMs)
{
    /// <summary>The context as it stands, without an event: what segments and offers at a timer are judged on.</summary>
    public static RuleScope Of(CustomerContext context, long streamTimeMs) => new(context, context, null, streamTimeMs);
}

/// <summary>
/// The variables rules may use. Durations are "how long ago" or "how long for", measured against stream time so a
/// replay evaluates the same. Anything the context does not know yet is unknown (null), which never fires a rule.
/// </summary>
public static class RuleVariables
{
    public static IReadOnlyDictionary<string, RuleVariable<RuleScope>> All { get; } = Build();

    /// <summary>The customer's real-time segments, by name; a rule naming a segment the catalog lacks does not load.</summary>
    public const string Segments = "context.segments";

    /// <summary>The variables of rules and offers, with <see cref="Segments"/> checked against the declared segment names.</summary>
    public static IReadOnlyDictionary<string, RuleVariable<RuleScope>> WithSegments(IEnumerable<string> segmentNames)
    {
        var variables = new Dictionary<string, RuleVariable<RuleScope>>(All, StringComparer.Ordinal);
        variables[Segments] = variables[Segments] with { KnownValues = segmentNames.ToHashSet(StringComparer.Ordinal), ValueName = "segment" };
        return variables;
    }

    /// <summary>
    /// What a segment's condition may read: the context, the relationship and the feedback counters. Not the event (a
    /// segment is a state, re-judged after responses and timers too), not <c>before.*</c>, and not other segments, so
    /// membership never depends on the order segments are evaluated in.
    /// </summary>
    public static IReadOnlyDictionary<string, RuleVariable<RuleScope>> ForSegments { get; } = All
        .Where(v => (v.Key.StartsWith("context.", StringComparison.Ordinal) || v.Key.StartsWith("relationship.", StringComparison.Ordinal)) && v.Key != Segments)
        .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>What an offer's eligibility may read: everything a rule may except the event, since offers are also chosen at timers.</summary>
    public static IReadOnlyDictionary<string, RuleVariable<RuleScope>> ForOffers(IEnumerable<string> segmentNames) =>
        WithSegments(segmentNames).Where(v => !v.Key.StartsWith("event.", StringComparison.Ordinal) && !v.Key.StartsWith("before.", StringComparison.Ordinal))
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>The kind of an event, as rules name it in <c>on:</c> and <c>event.kind</c>.</summary>
    public static string KindOf(ChannelEvent e) => e switch
    {
        ClickEvent => "click",
        AppEvent => "app",
        LocationFix => "location",
        BeaconSighting => "beacon",
        RelationshipProfile => "relationship",
        _ => "other",
    };

    /// <summary>The action of an event in snake case: <c>add_to_cart</c>, <c>app_open</c>, <c>dwell</c>, …</summary>
    public static string? ActionOf(ChannelEvent e) => e switch
    {
        ClickEvent c => EnumNames.SnakeCase(c.Type),
        AppEvent a => EnumNames.SnakeCase(a.Type),
        BeaconSighting b => EnumNames.SnakeCase(b.Type),
        _ => null,
    };

    private static Dictionary<string, RuleVariable<RuleScope>> Build()
    {
        var v = new Dictionary<string, RuleVariable<RuleScope>>(StringComparer.Ordinal);
        void Add(string name, RuleType type, Func<RuleScope, RuleValue> read, string description) => v[name] = new RuleVariable<RuleScope>(type, read, description);
        static RuleValue Ago(RuleScope s, long ms) => ms >= 0 ? (double)Math.Max(0, s.StreamTimeMs - ms) : RuleValue.Unknown;

        Add("event.kind", RuleType.Text, s => s.Event is { } e ? KindOf(e) : null, "click, app, location, beacon or relationship");
        Add("event.action", RuleType.Text, s => s.Event is { } e ? ActionOf(e) : null, "add_to_cart, product_view, app_open, push_opened, enter, dwell, exit, ...");
        Add("event.age", RuleType.Duration, s => s.Event is { } e ? Ago(s, e.EventTimeMs) : RuleValue.Unknown, "how old the event is against stream time");
        Add("event.category", RuleType.Text, s => (s.Event as ClickEvent)?.Category, "category of a click");
        Add("event.zone", RuleType.Text, s => (s.Event as BeaconSighting)?.ZoneId, "zone of a beacon sighting");
        Add("event.store", RuleType.Text, s => (s.Event as BeaconSighting)?.StoreId, "store of a beacon sighting");

        Add("context.known", RuleType.Bool, s => s.Context.Known, "the context belongs to a known customer");
        Add(Segments, RuleType.TextList, s => RuleValue.List(s.Context.SegmentNames), "the real-time segments the customer is in (topology/segments.yaml)");
        Add("context.cart.value", RuleType.Number, s => s.Context.Web.CartUpdatedMs >= 0 ? (double)s.Context.Web.CartValue : RuleValue.Unknown, "open cart value");
        Add("context.cart.items", RuleType.Number, s => (double)s.Context.Web.ItemsInCart(), "items in the cart");
        Add("context.cart.updatedAgo", RuleType.Duration, s => Ago(s, s.Context.Web.CartUpdatedMs), "time since the cart last changed");
        Add("context.web.lastActivityAgo", RuleType.Duration, s => Ago(s, s.Context.Web.LastActivityMs), "time since the last web event");
        Add("context.web.lastSearch", RuleType.Text, s => s.Context.Web.LastSearch, "the last search");
        Add("context.web.topCategory30m", RuleType.Text, s => s.Context.Web.TopCategoryWithin(1_800_000, s.StreamTimeMs), "most viewed category in 30 minutes");
        Add("context.web.views30m", RuleType.Number, s => (double)s.Context.Web.ViewsWithin(1_800_000, s.StreamTimeMs), "category views in 30 minutes");
        Add("context.app.foreground", RuleType.Bool, s => s.Context.App.StateChangedMs >= 0 ? s.Context.App.Foreground : RuleValue.Unknown, "the app is in the foreground");
        Add("context.app.lastOpenAgo", RuleType.Duration, s => Ago(s, s.Context.App.LastOpenMs), "time since the app was last opened");
        Add("context.app.pushDismissed", RuleType.Number, s => (double)s.Context.App.PushDismissed, "pushes dismissed");
        Add("context.location.state", RuleType.Text, s => EnumNames.SnakeCase(s.Context.Location.State), "unknown, away, near_store or in_store");
        Add("before.location.state", RuleType.Text, s => EnumNames.SnakeCase(s.Before.Location.State), "the presence state before this event");
        Add("before.inStore.store", RuleType.Text, s => s.Before.InStore.StoreId ?? string.Empty, "the store the customer was in before this event ('' when none)");
        Add("before.app.lastOpenAgo", RuleType.Duration, s => Ago(s, s.Before.App.LastOpenMs), "time since the app was opened before this event");
        Add("context.location.stateFor", RuleType.Duration, s => Ago(s, s.Context.Location.StateSinceMs), "time in the current presence state");
        Add("context.location.distance", RuleType.Number, s => s.Context.Location.DistanceMeters, "metres to the nearest store");
        Add("context.location.nearestStore", RuleType.Text, s => s.Context.Location.NearestStoreId, "the nearest store");
        Add("context.inStore.store", RuleType.Text, s => s.Context.InStore.StoreId ?? string.Empty, "the store the customer is in (beacons; '' when none)");
        Add("context.inStore.zone", RuleType.Text, s => s.Context.InStore.ZoneId, "the zone the customer is in");
        Add("context.inStore.zoneDwell", RuleType.Duration, s => s.Context.InStore.ZoneId is { } zone ? (double)s.Context.InStore.DwellMs.GetValueOrDefault(zone) : RuleValue.Unknown, "dwell in the current zone");
        Add("context.inStore.for", RuleType.Duration, s => s.Context.InStore.StoreId is null ? RuleValue.Unknown : Ago(s, s.Context.InStore.EnteredStoreMs), "time since entering the store");
        Add("context.atHomeStore", RuleType.Bool, s => s.Context.Relationship?.HomeStoreId is { } home
            ? s.Context.InStore.StoreId == home || (s.Context.Location.NearestStoreId == home && s.Context.Location.State is PresenceState.NearStore or PresenceState.InStore)
            : RuleValue.Unknown, "in or near the home store");

        foreach (var channel in Enum.GetValues<TriggerChannel>())
        {
            var key = EnumNames.SnakeCase(channel);
            var name = $"context.feedback.{char.ToLowerInvariant(channel.ToString()[0])}{channel.ToString()[1..]}";
            Add($"{name}.sent", RuleType.Number, s => (double)s.Context.Feedback.Channel(key).Sent, $"{key} triggers sent");
            Add($"{name}.accepted", RuleType.Number, s => (double)s.Context.Feedback.Channel(key).Accepted, $"{key} triggers opened, clicked or converted");
            Add($"{name}.ignoredInRow", RuleType.Number, s => (double)s.Context.Feedback.Channel(key).IgnoredInRow, $"{key} triggers ignored or dismissed since the last accepted one");
        }

        Add("relationship.tier", RuleType.Text, s => s.Context.Relationship?.Tier, "BASIC, SILVER, GOLD or PLATINUM");
        Add("relationship.segment", RuleType.Text, s => s.Context.Relationship?.Segment, "marketing segment");
        Add("relationship.lifetimeValue", RuleType.Number, s => s.Context.Relationship is { } r ? (double)r.LifetimeValue : RuleValue.Unknown, "lifetime value");
        Add("relationship.churnRisk", RuleType.Number, s => s.Context.Relationship?.ChurnRisk, "churn risk, 0 to 1");
        Add("relationship.homeStore", RuleType.Text, s => s.Context.Relationship?.HomeStoreId, "home store id");
        Add("relationship.preferredCategories", RuleType.TextList, s => RuleValue.List(s.Context.Relationship?.PreferredCategories), "preferred categories");
        Add("relationship.consent.push", RuleType.Bool, s => s.Context.Relationship?.Consent.Push, "push consent");
        Add("relationship.consent.email", RuleType.Bool, s => s.Context.Relationship?.Consent.Email, "email consent");
        Add("relationship.consent.sms", RuleType.Bool, s => s.Context.Relationship?.Consent.Sms, "SMS consent");
        Add("relationship.consent.inApp", RuleType.Bool, s => s.Context.Relationship?.Consent.InApp, "in-app consent");
        Add("relationship.consent.location", RuleType.Bool, s => s.Context.Relationship?.Consent.Location, "location consent");
        return v;
    }
}
