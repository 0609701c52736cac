namespace Customer360.Streaming.Domain.Context;

/// <summary>How a known customer's presence in a store changed.</summary>
public enum PresenceChangeKind
{
    Left,
    Entered,

    /// <summary>Moved to another zone of the same store, and is dwelling there.</summary>
    Dwelling,
}

/// <param name="ZoneId">The zone left (for <see cref="PresenceChangeKind.Left"/>) or now in.</param>
/// <param name="StayedSeconds">For <see cref="PresenceChangeKind.Left"/>: the length of the stay, summed over its zones.</param>
public sealed record PresenceChange(PresenceChangeKind Kind, string StoreId, string? ZoneId, int? StayedSeconds);

/// <summary>
/// What store staff are told from a context change: a customer entered a store, left it, or moved to another zone.
/// Decided from the two contexts alone; anonymous visitors are not reported. Leaving one store for another reports
/// both, the leave first.
/// </summary>
public static class PresenceChanges
{
    public static IReadOnlyList<PresenceChange> Between(CustomerContext before, CustomerContext after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var was = before.InStore;
        var now = after.InStore;
        if (!after.Known || (was.StoreId == now.StoreId && was.ZoneId == now.ZoneId))
        {
            return [];
        }

        var changes = new List<PresenceChange>(2);
        if (was.StoreId is { } left && left != now.StoreId)
        {
            changes.Add(new PresenceChange(PresenceChangeKind.Left, left, was.ZoneId, (int)(was.DwellMs.Values.Sum() / 1000)));
        }

        if (now.StoreId is { } entered)
        {
            changes.Add(new PresenceChange(was.StoreId == entered ? PresenceChangeKind.Dwelling : PresenceChangeKind.Entered, entered, now.ZoneId, null));
        }

        return changes;
    }
}
