using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>What one segment × offer × channel arm has learned: its accepted and ignored sends.</summary>
public readonly record struct ArmCounts(long Accepted, long Ignored)
{
    /// <summary>The Beta posterior's first parameter, from a uniform prior: accepted + 1.</summary>
    public double Alpha => Accepted + 1;

    /// <summary>The Beta posterior's second parameter: ignored + 1.</summary>
    public double Beta => Ignored + 1;

    public double Mean => Alpha / (Alpha + Beta);
}

/// <summary>A task's learned choices so far, and how many of them explored.</summary>
public readonly record struct ExplorationTally(long Choices, long Explorations);

/// <summary>
/// What a task has learned and spent, as offer arbitration reads it: the arms' counts, what is left of each offer's
/// daily capacity, and the exploration share. Implemented over a changelogged store, so it survives restarts and a
/// replay reads what the original run read.
/// </summary>
public interface IOfferLedger
{
    ArmCounts Arm(string segment, string offerId, TriggerChannel channel);

    /// <summary>Sends this task may still make of the offer on <paramref name="day"/> for <paramref name="scope"/>.</summary>
    int CapacityLeft(OfferDefinition offer, string scope, string day);

    ExplorationTally Exploration { get; }
}

/// <summary>A send of an offer: what the ledger must count (capacity, exploration) when it is committed.</summary>
public sealed record OfferSend(string OfferId, string Segment, TriggerChannel Channel, string CapacityScope, string Day, bool Learned, bool Explored);

/// <summary>A response to an offer: what its arm learns.</summary>
public sealed record OfferOutcome(string OfferId, string Segment, TriggerChannel Channel, bool Accepted);

/// <summary>A ledger that has learned nothing and limits nothing: for runs without decisioning state.</summary>
public sealed class EmptyOfferLedger : IOfferLedger
{
    public static readonly EmptyOfferLedger Instance = new();

    public ArmCounts Arm(string segment, string offerId, TriggerChannel channel) => default;

    public int CapacityLeft(OfferDefinition offer, string scope, string day) => int.MaxValue;

    public ExplorationTally Exploration => default;
}

/// <summary>The ledger as it stands, plus the sends made earlier in the same step (not yet committed to the store).</summary>
internal sealed class PendingOfferLedger(IOfferLedger committed) : IOfferLedger
{
    private readonly List<OfferSend> _sends = [];

    public IReadOnlyList<OfferSend> Sends => _sends;

    public void Add(OfferSend send) => _sends.Add(send);

    public ArmCounts Arm(string segment, string offerId, TriggerChannel channel) => committed.Arm(segment, offerId, channel);

    public int CapacityLeft(OfferDefinition offer, string scope, string day) =>
        committed.CapacityLeft(offer, scope, day) - _sends.Count(s => s.OfferId == offer.Id && s.CapacityScope == scope && s.Day == day);

    public ExplorationTally Exploration
    {
        get
        {
            var tally = committed.Exploration;
            return new ExplorationTally(tally.Choices + _sends.Count(s => s.Learned), tally.Explorations + _sends.Count(s => s.Explored));
        }
    }
}
