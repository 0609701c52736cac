using System.Collections.Immutable;

namespace Customer360.Streaming.Domain.Identity;

/// <summary>What a link event did to an identifier.</summary>
public enum LinkOutcome
{
    /// <summary>The identifier now resolves to the linked customer.</summary>
    Linked,

    /// <summary>The link was removed.</summary>
    Unlinked,

    /// <summary>The link pushed the identifier over the limit: it no longer resolves to anyone.</summary>
    Quarantined,

    /// <summary>An unlink brought a quarantined identifier back within the limit.</summary>
    Released,

    /// <summary>Already so (a duplicate link, or an unlink of a customer that was not linked).</summary>
    Unchanged,
}

/// <summary>
/// The customers an identifier is linked to, with the event time of each link. The identifier resolves to the most
/// recently linked customer, unless it is linked to more customers than allowed: then it is quarantined and resolves
/// to nobody until unlinks bring it back within the limit.
/// </summary>
public sealed record IdentityState
{
    /// <summary>
    /// The most customers kept for one identifier. Above <see cref="IdentitySettings.MaxCustomersPerIdentifier"/> (at
    /// most 100) the identifier is quarantined anyway; a link beyond this is not kept (the identity topic still holds
    /// it), so a kiosk identifier signed into by every customer cannot grow its state past one Kafka record.
    /// </summary>
    public const int MostCustomersKept = 500;

    public ImmutableSortedDictionary<string, long> LinkedCustomers { get; init; } =
        OrdinalMap.Empty<long>();

    public bool Quarantined { get; init; }

    /// <summary>The customer events of this identifier belong to, or null (not linked, or quarantined).</summary>
    public string? ResolvedCustomer
    {
        get
        {
            if (Quarantined)
            {
                return null;
            }

            // Latest link wins; equal times go to the smaller id, so the answer never depends on arrival order. One
            // pass, nothing allocated: this is asked for every routed event.
            string? latest = null;
            var latestAt = long.MinValue;
            foreach (var (customer, linkedAt) in LinkedCustomers)
            {
                if (LinkWins(customer, linkedAt, latest, latestAt))
                {
                    (latest, latestAt) = (customer, linkedAt);
                }
            }

            return latest;
        }
    }

    /// <summary>
    /// Whether a link to <paramref name="customer"/> at <paramref name="linkedAt"/> beats the best so far: the later
    /// link, or at equal times the smaller id (ordinal). Also the rule of the stored forms' quick reads.
    /// </summary>
    internal static bool LinkWins(string customer, long linkedAt, string? best, long bestAt) =>
        best is null || linkedAt > bestAt || (linkedAt == bestAt && string.CompareOrdinal(customer, best) < 0);

    public bool IsEmpty => LinkedCustomers.IsEmpty && !Quarantined;

    public (IdentityState State, LinkOutcome Outcome) Apply(IdentityLink link, IdentitySettings settings)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(settings);
        if (link.Action == IdentityAction.Unlink)
        {
            if (!LinkedCustomers.ContainsKey(link.CustomerId))
            {
                return (this, LinkOutcome.Unchanged);
            }

            var remaining = LinkedCustomers.Remove(link.CustomerId);
            var release = Quarantined && remaining.Count <= settings.MaxCustomersPerIdentifier;
            return (this with { LinkedCustomers = remaining, Quarantined = Quarantined && !release }, release ? LinkOutcome.Released : LinkOutcome.Unlinked);
        }

        var known = LinkedCustomers.TryGetValue(link.CustomerId, out var linkedAt);
        if ((known && linkedAt >= link.EventTimeMs) || (!known && LinkedCustomers.Count >= MostCustomersKept))
        {
            return (this, LinkOutcome.Unchanged);
        }

        var linked = LinkedCustomers.SetItem(link.CustomerId, link.EventTimeMs);
        if (linked.Count > settings.MaxCustomersPerIdentifier)
        {
            return (this with { LinkedCustomers = linked, Quarantined = true }, Quarantined ? LinkOutcome.Unchanged : LinkOutcome.Quarantined);
        }

        return (this with { LinkedCustomers = linked }, LinkOutcome.Linked);
    }

    /// <summary>Forgets an erased customer: as if it had been unlinked, without saying so anywhere.</summary>
    public IdentityState Forget(string customerId, IdentitySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var remaining = LinkedCustomers.Remove(customerId);
        return this with { LinkedCustomers = remaining, Quarantined = Quarantined && remaining.Count > settings.MaxCustomersPerIdentifier };
    }
}
