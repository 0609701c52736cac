using System.Collections.Immutable;
using System.Text.Json;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using static Customer360.Streaming.Domain.Tests.Context.Events;

namespace Customer360.Streaming.Domain.Tests.Context;

public sealed class ContextReducerTests
{
    private static readonly ContextReducer Reducer = new(new ContextSettings(), Stores);

    private static CustomerContext Run(IEnumerable<ChannelEvent> events, CustomerContext? start = null) =>
        events.Aggregate(start ?? CustomerContext.Empty("c-1"), (context, e) => Reducer.Apply(context, e).Context);

    private static CustomerContext Consenting => Run([Profile(0)]);

    [Fact]
    public void Web_CartChangesOutOfOrderWithinGrace_EndInTheSameStateAsInOrder()
    {
        ChannelEvent[] inOrder =
        [
            Click(1_000, ClickType.AddToCart, "tv", "electronics", cart: 499m),
            Click(2_000, ClickType.AddToCart, "cable", "electronics", cart: 519m),
            Click(3_000, ClickType.RemoveFromCart, "cable", cart: 499m),
            Click(4_000, ClickType.Search, search: "soundbar"),
        ];
        var shuffled = new[] { inOrder[2], inOrder[0], inOrder[3], inOrder[1] };

        var a = Run(inOrder);
        var b = Run(shuffled);

        Assert.Equal(499m, a.Web.CartValue);
        Assert.Equal(["tv"], a.Web.CartItems.Keys);
        Assert.Equal("soundbar", a.Web.LastSearch);
        Assert.Equal((a.Web.CartValue, a.Web.CartUpdatedMs, a.Web.LastSearch), (b.Web.CartValue, b.Web.CartUpdatedMs, b.Web.LastSearch));
        Assert.Equal(a.Web.CartItems, b.Web.CartItems);
        Assert.Equal(a.AsOfMs, b.AsOfMs);
        Assert.Equal(4, b.Version);
    }

    [Fact]
    public void Duplicate_TheSameEventTwice_IsRecognisedAndTheRememberedIdsDoNotDependOnArrivalOrder()
    {
        var add = Click(1_000, ClickType.AddToCart, "tv", "electronics", cart: 499m);
        var view = Click(2_000, ClickType.ProductView, "tv", "electronics");
        var once = Run([add, view]);

        var again = Reducer.Apply(once, add);

        Assert.Equal(ReductionOutcome.Duplicate, again.Outcome);
        Assert.Same(once, again.Context);
        Assert.Equal(once.RecentEvents, Run([view, add]).RecentEvents);
    }

    [Fact]
    public void Duplicate_MemoryIsBounded_KeepingTheNewestByEventTime()
    {
        var reducer = new ContextReducer(new ContextSettings { DuplicateMemory = 3 }, Stores);
        var context = Enumerable.Range(1, 5).Select(i => (ChannelEvent)Click(i * 1_000, ClickType.PageView))
            .Aggregate(CustomerContext.Empty("c-1"), (c, e) => reducer.Apply(c, e).Context);

        Assert.Equal([3_000L, 4_000L, 5_000L], context.RecentEvents.Select(e => e.AtMs - T0));
    }

    [Fact]
    public void Duplicate_MemoryIsBounded_ALateEventTakesItsPlaceInEventTimeOrder_AndOneOlderThanAllIsNotKept()
    {
        var reducer = new ContextReducer(new ContextSettings { DuplicateMemory = 3 }, Stores);
        var context = new[] { 1_000, 2_000, 4_000, 5_000, 3_000, 500 }.Select(t => (ChannelEvent)Click(t, ClickType.PageView))
            .Aggregate(CustomerContext.Empty("c-1"), (c, e) => reducer.Apply(c, e).Context);

        Assert.Equal([3_000L, 4_000L, 5_000L], context.RecentEvents.Select(e => e.AtMs - T0));
    }

    [Fact]
    public void Web_EventLaterThanGrace_IsCountedLateAndChangesNothing()
    {
        var context = Run([Click(20 * 60_000, ClickType.PageView, category: "garden")]);

        var late = Reducer.Apply(context, Click(1_000, ClickType.AddToCart, "tv", cart: 499m));

        Assert.Equal(ReductionOutcome.Late, late.Outcome);
        Assert.Same(context, late.Context);
    }

    [Fact]
    public void Web_SessionsSplitAfterThirtyMinutesOfInactivity_AndWindowsCountRecentCategories()
    {
        var context = Run(
        [
            Click(0, ClickType.ProductView, "tv", "electronics", session: "s1"),
            Click(60_000, ClickType.ProductView, "tv2", "electronics", session: "s1"),
            Click(120_000, ClickType.PageView, category: "garden", session: "s1"),
            Click(40 * 60_000, ClickType.ProductView, "radio", "electronics", session: "s2"),
        ]);

        Assert.Equal("s2", context.Web.SessionId);
        Assert.Equal(1, context.Web.PagesInSession);
        Assert.Equal(T0 + (40 * 60_000), context.Web.SessionStartedMs);
        Assert.Equal([KeyValuePair.Create("electronics", 1)], context.Web.CategoryCounts(5 * 60_000, context.AsOfMs));
        Assert.Equal([KeyValuePair.Create("electronics", 3), KeyValuePair.Create("garden", 1)], context.Web.CategoryCounts(24 * 3_600_000L, context.AsOfMs));
    }

    [Fact]
    public void Web_ItemsInCart_CountsWhatTheCartHolds_NotARemoveThatArrivedBeforeItsAdd()
    {
        var web = new WebView
        {
            CartQuantities = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("tv", 2), KeyValuePair.Create("cable", 3), KeyValuePair.Create("lamp", -1)]),
        };

        Assert.Equal(5, web.ItemsInCart());
        Assert.Equal(web.CartItems.Values.Sum(), web.ItemsInCart());
    }

    [Fact]
    public void Web_PurchaseClearsTheCart()
    {
        var context = Run([Click(1_000, ClickType.AddToCart, "tv", cart: 499m), Click(2_000, ClickType.Purchase, "tv", cart: 499m)]);

        Assert.Empty(context.Web.CartItems);
        Assert.Equal(0m, context.Web.CartValue);
    }

    [Fact]
    public void Web_AFullCartTakesNoFurtherProduct_ButItsProductsStillChange_AndTheClickStillApplies()
    {
        var reducer = new ContextReducer(new ContextSettings { MaxCartProducts = 2 }, Stores);
        var full = new[] { Click(1_000, ClickType.AddToCart, "tv", cart: 499m), Click(2_000, ClickType.AddToCart, "cable", cart: 519m) }
            .Aggregate(Consenting, (c, e) => reducer.Apply(c, e).Context);

        var third = reducer.Apply(full, Click(3_000, ClickType.AddToCart, "lamp", cart: 548m));
        var more = reducer.Apply(third.Context, Click(4_000, ClickType.AddToCart, "tv", cart: 1_047m));
        var removal = reducer.Apply(more.Context, Click(5_000, ClickType.RemoveFromCart, "cable", cart: 1_027m));
        var afterRemoval = reducer.Apply(removal.Context, Click(6_000, ClickType.AddToCart, "lamp", cart: 1_056m));

        Assert.Equal(ReductionOutcome.Applied, third.Outcome);
        Assert.Equal(new Dictionary<string, int> { ["cable"] = 1, ["tv"] = 1 }, third.Context.Web.CartItems);
        Assert.Equal(548m, third.Context.Web.CartValue);
        Assert.Equal(2, more.Context.Web.CartItems["tv"]);
        Assert.Equal(new Dictionary<string, int> { ["lamp"] = 1, ["tv"] = 2 }, afterRemoval.Context.Web.CartItems);
    }

    [Fact]
    public void InStore_AVisitRecordsAtMostItsZoneLimit_AndAFurtherZoneIsNoise()
    {
        var reducer = new ContextReducer(new ContextSettings { MaxZonesPerVisit = 2 }, Stores);
        var context = new[]
        {
            Beacon(1_000, "entrance", SightingType.Enter, Proximity.Immediate),
            Beacon(2_000, "electronics", proximity: Proximity.Immediate),
            Beacon(3_000, "garden", proximity: Proximity.Immediate),
            Beacon(4_000, "garden", proximity: Proximity.Immediate),
            Beacon(5_000, "entrance", proximity: Proximity.Immediate),
        }.Aggregate(Consenting, (c, e) => reducer.Apply(c, e).Context);

        Assert.Equal(["entrance", "electronics"], context.InStore.ZonesVisited);
        Assert.Equal(["electronics", "entrance"], context.InStore.DwellMs.Keys);
        Assert.Equal("entrance", context.InStore.ZoneId);
        // The sightings of the zone beyond the limit counted as dwelling where the customer was.
        Assert.Equal(3_000, context.InStore.DwellMs["electronics"]);
    }

    [Fact]
    public void App_BackgroundThenLateOpen_StaysInBackground()
    {
        var context = Run([App(1_000, AppEventType.AppOpen), App(5_000, AppEventType.AppBackground), App(3_000, AppEventType.ScreenView, "cart")]);

        Assert.False(context.App.Foreground);
        Assert.Equal("cart", context.App.LastScreen);
        Assert.Equal(T0 + 1_000, context.App.LastOpenMs);
    }

    [Fact]
    public void Location_WithoutConsent_IsNotKept()
    {
        var result = Reducer.Apply(CustomerContext.Empty("anon:device:1"), Fix(1_000, 10));

        Assert.Equal(ReductionOutcome.NoConsent, result.Outcome);
        Assert.Equal(PresenceState.Unknown, result.Context.Location.State);
    }

    [Fact]
    public void Location_OlderFixAndLessAccurateSameMomentFix_NeverOverwriteTheNewerOne()
    {
        var context = Run([Fix(60_000, 10, accuracy: 8)], Consenting);

        Assert.Equal(ReductionOutcome.Superseded, Reducer.Apply(context, Fix(1_000, 5_000)).Outcome);
        Assert.Equal(ReductionOutcome.Superseded, Reducer.Apply(context, Fix(70_000, 5_000, accuracy: 50)).Outcome);
        Assert.Equal(PresenceState.InStore, context.Location.State);
        Assert.Equal("berlin-mitte", context.Location.NearestStoreId);
    }

    [Fact]
    public void Location_NewerFixesOfEqualAccuracyTenSecondsApart_EachWin()
    {
        var context = Run([Fix(0, 650, accuracy: 20), Fix(10_000, 300, accuracy: 20), Fix(20_000, 130, accuracy: 20)], Consenting);

        Assert.Equal(PresenceState.NearStore, context.Location.State);
        Assert.Equal(130, context.Location.DistanceMeters!.Value, 0);
        Assert.Equal(T0 + 20_000, context.Location.FixTimeMs);
    }

    [Fact]
    public void Location_NewerFixSlightlyLessAccurate_Wins_ButAClearlyWorseOneIsDropped_InEitherArrivalOrder()
    {
        var slightlyWorse = Run([Fix(0, 650, accuracy: 20), Fix(10_000, 200, accuracy: 35)], Consenting);
        Assert.Equal(200, slightlyWorse.Location.DistanceMeters!.Value, 0);

        LocationFix precise = Fix(0, 130, accuracy: 10), vague = Fix(10_000, 650, accuracy: 60);
        var inOrder = Run([precise, vague], Consenting);
        var reversed = Run([vague, precise], Consenting);

        Assert.Equal(130, inOrder.Location.DistanceMeters!.Value, 0);
        Assert.Equal(inOrder.Location, reversed.Location);
    }

    [Fact]
    public void Lateness_IsJudgedAgainstTheNewestEventOfTheSameGroup_NotAProfileStampedLater()
    {
        var context = Run([Click(0, ClickType.PageView), Profile(2 * 3_600_000)]);

        var click = Reducer.Apply(context, Click(60_000, ClickType.AddToCart, "tv", cart: 499m));
        var webLate = Reducer.Apply(click.Context, Click(-20 * 60_000 + 60_000, ClickType.PageView));
        var firstFix = Reducer.Apply(click.Context, Fix(30_000, 10));

        Assert.Equal(ReductionOutcome.Applied, click.Outcome);
        Assert.Equal(499m, click.Context.Web.CartValue);
        Assert.Equal(ReductionOutcome.Late, webLate.Outcome);
        Assert.Equal(ReductionOutcome.Applied, firstFix.Outcome);
    }

    [Fact]
    public void Location_GpsJitterAtTheGeofenceBoundary_DoesNotFlap()
    {
        // Walking in from 400 m, then jitter of ±15 m around the 50 m store radius.
        var approach = new ChannelEvent[] { Fix(0, 400), Fix(60_000, 250), Fix(120_000, 45) };
        var jitter = Enumerable.Range(0, 12).Select(i => (ChannelEvent)Fix(180_000 + (i * 60_000), i % 2 == 0 ? 60 : 40));

        var states = new List<PresenceState>();
        var context = Consenting;
        foreach (var e in approach.Concat(jitter))
        {
            context = Reducer.Apply(context, e).Context;
            states.Add(context.Location.State);
        }

        Assert.Equal([PresenceState.Away, PresenceState.NearStore, PresenceState.InStore], states.Take(3));
        Assert.All(states.Skip(3), s => Assert.Equal(PresenceState.InStore, s));
        Assert.Equal(T0 + 120_000, context.Location.StateSinceMs);

        var left = Reducer.Apply(context, Fix(2_000_000, 120)).Context;
        Assert.Equal(PresenceState.NearStore, left.Location.State);
    }

    [Fact]
    public void InStore_FlappingBetweenNeighbouringZones_SwitchesOnlyWhenConfirmed()
    {
        var context = Run(
        [
            Beacon(0, "entrance", SightingType.Enter),
            Beacon(10_000, "electronics"),
            Beacon(15_000, "entrance"),
            Beacon(40_000, "electronics"),
            Beacon(50_000, "electronics"),
            Beacon(60_000, "garden", rssi: -95, proximity: Proximity.Far),
            Beacon(65_000, "garden", rssi: -95, proximity: Proximity.Far),
            Beacon(120_000, "electronics"),
        ],
            Consenting);

        Assert.Equal("electronics", context.InStore.ZoneId);
        Assert.Equal(["entrance", "electronics"], context.InStore.ZonesVisited);
        Assert.Equal(T0 + 50_000, context.InStore.ZoneEnteredMs);
        Assert.Equal(70_000, context.InStore.DwellMs["electronics"]);
        Assert.Equal(50_000, context.InStore.DwellMs["entrance"]);
    }

    [Fact]
    public void InStore_ExitLeavesTheStore_AndWithdrawnConsentForgetsPresence()
    {
        var inside = Run([Beacon(0, "entrance", SightingType.Enter), Beacon(30_000, "entrance")], Consenting);
        Assert.Equal("berlin-mitte", inside.InStore.StoreId);

        var left = Reducer.Apply(inside, Beacon(60_000, "entrance", SightingType.Exit)).Context;
        Assert.Null(left.InStore.StoreId);

        var withdrawn = Reducer.Apply(inside, Profile(40_000, locationConsent: false)).Context;
        Assert.Null(withdrawn.InStore.StoreId);
        Assert.Equal(ReductionOutcome.NoConsent, Reducer.Apply(withdrawn, Beacon(50_000, "entrance")).Outcome);
    }

    [Fact]
    public void Provenance_NamesTheEventThatSetEachGroup_AndAnOlderEventDoesNotReplaceIt()
    {
        var context = Run([Click(5_000, ClickType.Search, search: "tv"), Click(1_000, ClickType.PageView, category: "tv")], Consenting);

        var web = context.Provenance["web"];
        Assert.Equal(Id(5_000), web.EventId);
        Assert.Equal("c360.clickstream.v1", web.SourceTopic);
        Assert.Equal(T0 + 5_000, web.EventTimeMs);
        Assert.Equal("c360.relationship.v1", context.Provenance["relationship"].SourceTopic);
    }

    [Fact]
    public void Merge_AnonymousBrowsingIntoKnownCustomer_KeepsTheNewerCartAndUnitesViews()
    {
        var known = Run([Click(1_000, ClickType.ProductView, "tv", "electronics"), Click(2_000, ClickType.AddToCart, "tv", cart: 499m)], Consenting);
        var anonymous = Run([Click(3_000, ClickType.ProductView, "drill", "tools"), Click(4_000, ClickType.AddToCart, "drill", cart: 89m)], CustomerContext.Empty("anon:web:a1"));

        var merged = ContextMerge.Merge(known, anonymous);

        Assert.Equal("c-1", merged.ContextId);
        Assert.Equal(89m, merged.Web.CartValue);
        Assert.Equal(["tools", "electronics"], merged.Web.RecentViews.Select(v => v.Category).Reverse());
        Assert.True(merged.Version > known.Version && merged.Version > anonymous.Version);
        Assert.NotNull(merged.Relationship);
        Assert.Equal(Id(4_000), merged.Provenance["web"].EventId);
        Assert.Equal(JsonSerializer.Serialize(merged), JsonSerializer.Serialize(ContextMerge.Merge(known, anonymous)));
    }
}

public sealed class ContextJsonTests
{
    [Fact]
    public void Document_RoundTripsEveryGroup_AndTheSameContextGivesTheSameBytes()
    {
        var reducer = new ContextReducer(new ContextSettings(), Events.Stores);
        ChannelEvent[] events =
        [
            Events.Profile(0),
            Events.Click(1_000, ClickType.ProductView, "tv", "electronics"),
            Events.Click(2_000, ClickType.AddToCart, "tv", cart: 499.90m),
            Events.App(3_000, AppEventType.ScreenView, "offers"),
            Events.Fix(4_000, 20),
            Events.Beacon(5_000, "entrance", SightingType.Enter),
            Events.Beacon(9_000, "entrance"),
        ];
        var context = events.Aggregate(CustomerContext.Empty("c-1"), (c, e) => reducer.Apply(c, e).Context);

        var json = ContextJson.Serialize(context);
        var back = ContextJson.Deserialize(json);

        Assert.Equal(json, ContextJson.Serialize(back));
        Assert.Equal(499.90m, back.Web.CartValue);
        Assert.Equal(1, back.Web.CartItems["tv"]);
        Assert.Equal(PresenceState.InStore, back.Location.State);
        Assert.Equal(4_000, back.InStore.DwellMs["entrance"]);
        Assert.Contains("\"state\":\"InStore\"", json, StringComparison.Ordinal);
        Assert.Contains("\"contextId\":\"c-1\"", json, StringComparison.Ordinal);
        Assert.Equal(7, back.Version);
    }
}
