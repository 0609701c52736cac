using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Domain.Tests.Context;

/// <summary>What store staff are told when a customer's in-store state changes, decided from the context alone.</summary>
public sealed class PresenceChangesTests
{
    public static TheoryData<string, string?, string?, string?, string?, string[]> Cases => new()
    {
        // name, store before, zone before, store after, zone after, expected changes
        { "walks in", null, null, "s1", "entrance", ["Entered s1 entrance"] },
        { "moves to another zone", "s1", "entrance", "s1", "electronics", ["Dwelling s1 electronics"] },
        { "stays in the same zone", "s1", "electronics", "s1", "electronics", [] },
        { "leaves", "s1", "electronics", null, null, ["Left s1 electronics stayed 90 s"] },
        { "goes straight to another store", "s1", "toys", "s2", "entrance", ["Left s1 toys stayed 90 s", "Entered s2 entrance"] },
        { "stays out", null, null, null, null, [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChangesBetweenTwoContexts(string name, string? storeBefore, string? zoneBefore, string? storeAfter, string? zoneAfter, string[] expected)
    {
        var before = Known(storeBefore, zoneBefore);
        var after = Known(storeAfter, zoneAfter);

        var changes = PresenceChanges.Between(before, after);

        Assert.True(expected.SequenceEqual(changes.Select(Describe)), $"{name}: {string.Join(", ", changes.Select(Describe))}");
    }

    [Fact]
    public void AnAnonymousVisitor_IsNotReported()
    {
        var before = CustomerContext.Empty("anon:device:d1");
        var after = before with { InStore = new InStoreView { StoreId = "s1", ZoneId = "entrance" } };

        Assert.Empty(PresenceChanges.Between(before, after));
    }

    private static CustomerContext Known(string? store, string? zone) => CustomerContext.Empty("c1") with
    {
        InStore = new InStoreView
        {
            StoreId = store,
            ZoneId = zone,
            // 90 s in the store: what a customer leaving reports as the length of the stay.
            DwellMs = store is null ? ImmutableSortedDictionary<string, long>.Empty : ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("lobby", 30_000L), KeyValuePair.Create("aisles", 60_000L)]),
        },
    };

    private static string Describe(PresenceChange change) =>
        $"{change.Kind} {change.StoreId} {change.ZoneId}" + (change.StayedSeconds is { } stayed ? $" stayed {stayed} s" : string.Empty);
}
