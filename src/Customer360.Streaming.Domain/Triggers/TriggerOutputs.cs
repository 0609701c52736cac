using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>Where the input that caused an output sits in Kafka (its origin), so anyone can find it again.</summary>
public sealed record SourceRef(string Topic, int Partition, long Offset, Guid EventId);

/// <summary>A trigger to send: what fired, for whom, until when, and why.</summary>
public sealed record FiredTrigger(
    string TriggerId,
    TriggerRule Rule,
    CustomerContext Context,
    long CreatedMs,
    IReadOnlyList<ConditionTrace> Explanation,
    SourceRef Source)
{
    public long ExpiresMs => CreatedMs + (long)Rule.Expiry.TotalMilliseconds;

    /// <summary>The offer it carries, for a rule proposing offers.</summary>
    public OfferChoice? Offer { get; init; }
}

/// <summary>An evaluation whose conditions matched: fired, or suppressed and why.</summary>
public sealed record TriggerDecision(
    string DecisionId,
    TriggerRule Rule,
    string CustomerId,
    long TimeMs,
    SuppressionReason? Suppressed,
    string Detail,
    IReadOnlyList<ConditionTrace> Explanation,
    string? TriggerId,
    SourceRef Source)
{
    /// <summary>For a rule proposing offers: how the offer was chosen.</summary>
    public OfferChoice? Offer { get; init; }
}
