using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>What an offer's daily capacity is counted per.</summary>
public enum CapacityScope
{
    /// <summary>All sends of the offer.</summary>
    Offer,

    /// <summary>Sends to customers at one store (the store they are in, else near).</summary>
    Store,
}

/// <summary>At most <paramref name="PerDay"/> sends of an offer per UTC day, per <paramref name="Per"/>.</summary>
public sealed record OfferCapacity(int PerDay, CapacityScope Per);

/// <summary>An offer of <c>topology/offers.yaml</c>, which a rule may propose instead of a fixed message.</summary>
/// <param name="Eligible">Who may get it (null: anyone the rule fires for).</param>
/// <param name="Value">What an accepted offer is worth; arbitration maximizes acceptance × value.</param>
/// <param name="ValidFromMs">First instant it may be sent (inclusive).</param>
/// <param name="ValidUntilMs">When it stops (exclusive).</param>
public sealed record OfferDefinition(
    string Id,
    string Description,
    TriggerChannel Channel,
    decimal Value,
    CompiledCondition<RuleScope>? Eligible,
    OfferCapacity? Capacity,
    long ValidFromMs = long.MinValue,
    long ValidUntilMs = long.MaxValue)
{
    public bool ValidAt(long timeMs) => timeMs >= ValidFromMs && timeMs < ValidUntilMs;
}
