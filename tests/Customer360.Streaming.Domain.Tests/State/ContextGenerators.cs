using System.Collections.Immutable;
using CsCheck;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>CsCheck generators of customer contexts: every field, with the values a long-running context can hold.</summary>
internal static class ContextGenerators
{
    internal static readonly Gen<string> Text = Gen.OneOf(Gen.String[Gen.Char["abcxyz-:{}é\u0000 "], 0, 20], Gen.Const("electronics"), Gen.Const("c360.web.v1"));

    /// <summary>Epoch milliseconds: "never" (−1), around now, or anywhere a long goes.</summary>
    internal static readonly Gen<long> Time = Gen.Frequency((1, Gen.Const(-1L)), (6, Gen.Long[1_780_000_000_000, 1_800_000_000_000]), (1, Gen.Long));

    /// <summary>Finite only: the edge refuses NaN and infinities, and the public JSON could not hold them.</summary>
    private static readonly Gen<double> Number = Gen.OneOf(Gen.Double.Where(double.IsFinite), Gen.Const(double.MaxValue), Gen.Const(-0.0), Gen.Double[0, 1_000]);

    private static readonly Gen<decimal> Money = Gen.OneOf(Gen.Decimal, Gen.Long[-1_000_000, 1_000_000].Select(c => c / 100m), Gen.Const(1.10m), Gen.Const(-0.0m));

    internal static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Const((string?)null)), (2, Text.Select(t => (string?)t)));

    internal static Gen<ImmutableSortedDictionary<string, T>> SortedMap<T>(Gen<T> values) =>
        Gen.Select(Text, values).Array[0, 6].Select(pairs =>
        {
            var map = ImmutableSortedDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
            foreach (var (key, value) in pairs)
            {
                map[key] = value;
            }

            return map.ToImmutable();
        });

    private static readonly Gen<RelationshipProfile?> Relationship = Gen.Frequency(
        (1, Gen.Const((RelationshipProfile?)null)),
        (3, Gen.Select(Gen.Guid, Time, Text, Text, Text, Money, Number, Text.Array[0, 4])
            .SelectMany(t => Gen.Select(OptionalText, Gen.Bool.Array[5], Gen.Frequency((1, Gen.Const((QuietHours?)null)), (1, Gen.Select(Gen.Int[0, 1439], Gen.Int[0, 1439]).Select((a, b) => (QuietHours?)new QuietHours(a, b)))), Text, Text)
                .Select(u => (RelationshipProfile?)new RelationshipProfile(
                    t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, "segment", t.Item6, t.Item7, t.Item8, u.Item1,
                    new Consent(u.Item2[0], u.Item2[1], u.Item2[2], u.Item2[3], u.Item2[4]), u.Item3, u.Item4, u.Item5)))));

    private static readonly Gen<WebView> Web = Gen.Select(OptionalText, Time, Time, Gen.Int[0, 500], OptionalText, Gen.Select(Text, Time).Array[0, 30], SortedMap(Gen.Int[-3, 20]), Money)
        .SelectMany(t => Gen.Select(Time, OptionalText, Time).Select(u => new WebView
        {
            SessionId = t.Item1,
            SessionStartedMs = t.Item2,
            LastActivityMs = t.Item3,
            PagesInSession = t.Item4,
            LastPageUrl = t.Item5,
            RecentViews = [.. t.Item6.Select(v => new Viewed(v.Item1, v.Item2))],
            CartQuantities = t.Item7,
            CartValue = t.Item8,
            CartUpdatedMs = u.Item1,
            LastSearch = u.Item2,
            LastSearchMs = u.Item3,
        }));

    private static readonly Gen<AppView> App = Gen.Select(Gen.Bool, Time, OptionalText, Time, Time, Gen.Int[0, 99], Gen.Int[0, 99])
        .Select(t => new AppView { Foreground = t.Item1, StateChangedMs = t.Item2, LastScreen = t.Item3, LastScreenMs = t.Item4, LastOpenMs = t.Item5, PushOpened = t.Item6, PushDismissed = t.Item7 });

    private static readonly Gen<LocationView> Location = Gen.Select(Time, Number, Gen.Enum<PresenceState>(), OptionalText, Gen.Frequency((1, Gen.Const((double?)null)), (2, Number.Select(n => (double?)n))), Time)
        .Select(t => new LocationView { FixTimeMs = t.Item1, AccuracyMeters = t.Item2, State = t.Item3, NearestStoreId = t.Item4, DistanceMeters = t.Item5, StateSinceMs = t.Item6 });

    private static readonly Gen<InStoreView> InStore = Gen.Select(OptionalText, OptionalText, Time, Time, Time, OptionalText, Time, Text.Array[0, 5])
        .SelectMany(t => SortedMap(Gen.Long).Select(dwell => new InStoreView
        {
            StoreId = t.Item1,
            ZoneId = t.Item2,
            EnteredStoreMs = t.Item3,
            ZoneEnteredMs = t.Item4,
            LastSightingMs = t.Item5,
            PendingZoneId = t.Item6,
            PendingSinceMs = t.Item7,
            ZonesVisited = [.. t.Item8],
            DwellMs = dwell,
        }));

    private static readonly Gen<FeedbackCounters> Counters = Gen.Select(Gen.Int[0, 50], Gen.Int[0, 50], Gen.Int[0, 50], Gen.Int[0, 10], Time)
        .Select(t => new FeedbackCounters(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5));

    public static readonly Gen<CustomerContext> Contexts = Gen.Select(Text, Gen.Long[0, long.MaxValue], Time, Relationship, Text.Array[0, 5], Web, App, Location)
        .SelectMany(t => Gen.Select(InStore, SortedMap(Counters), SortedMap(Counters), Gen.Select(Gen.Guid, Time).Array[0, 64], SortedMap(Gen.Select(Text, Gen.Guid, Time, Gen.Int[-1, 1_000], Gen.Long[-1, long.MaxValue])))
            .Select(u => new CustomerContext
            {
                ContextId = t.Item1,
                Version = t.Item2,
                AsOfMs = t.Item3,
                Relationship = t.Item4,
                Identifiers = [.. t.Item5],
                Web = t.Item6,
                App = t.Item7,
                Location = t.Item8,
                InStore = u.Item1,
                Feedback = new FeedbackView { ByRule = u.Item2, ByChannel = u.Item3 },
                RecentEvents = [.. u.Item4.Select(e => new AppliedEvent(e.Item1, e.Item2))],
                Provenance = u.Item5.ToImmutableSortedDictionary(p => p.Key, p => new Provenance(p.Value.Item1, p.Value.Item2, p.Value.Item3, p.Value.Item4, p.Value.Item5), StringComparer.Ordinal),
            })
            .SelectMany(context => SortedMap(Time).Select(segments => context with { Segments = segments })));
}
