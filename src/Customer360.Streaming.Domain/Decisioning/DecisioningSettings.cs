namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>How an offer is chosen among the eligible ones of a rule.</summary>
public enum DecisionPolicy
{
    /// <summary>Thompson sampling on what each segment accepted: the largest sampled acceptance × value wins.</summary>
    Learned,

    /// <summary>The first eligible offer in the rule's list (a fixed priority).</summary>
    Priority,

    /// <summary>Uniformly among the eligible offers, drawn from the trigger id.</summary>
    Random,

    /// <summary>The offer <see cref="DecisioningSettings.OfferBySegment"/> names for the segment (else as <see cref="Priority"/>): the hindsight policy of an evaluation.</summary>
    PerSegment,
}

/// <summary>The knobs of offer arbitration (<c>Decisioning:*</c>).</summary>
public sealed record DecisioningSettings
{
    public DecisionPolicy Policy { get; init; } = DecisionPolicy.Learned;

    /// <summary>
    /// At most this share of a task's choices may explore: pick an offer other than the one with the best posterior
    /// mean × value. Past it, the greedy offer is taken until the share falls again.
    /// </summary>
    public double MaxExplorationShare { get; init; } = 0.2;

    /// <summary>
    /// Partitions of the customer-keyed topics: each context task holds its share of an offer's daily capacity, so the
    /// tasks together never exceed it.
    /// </summary>
    public int ContextPartitions { get; init; } = 1;

    /// <summary>For <see cref="DecisionPolicy.PerSegment"/>: segment → offer id.</summary>
    public IReadOnlyDictionary<string, string> OfferBySegment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
