using System.Globalization;
using System.Text;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// One context task's offer ledger over its changelogged <c>offer-learning</c> store: accepted and ignored counts per
/// segment × offer × channel arm, each offer's capacity used today per scope, and the exploration tally. Everything a
/// decision reads is in the store, so a restart restores it and a replay reads what the first run read. Written in the
/// same commit as the customer's step that caused the change.
/// <para>
/// Capacity is split across the context partitions: this task may send <c>perDay ÷ partitions</c> of an offer a day
/// (the first <c>perDay mod partitions</c> partitions one more), so all tasks together never exceed the capacity.
/// </para>
/// </summary>
public sealed class OfferBook(IKeyValueStore store, int partition, int partitions) : IOfferLedger
{
    private const string ExplorationKey = "exploration";

    public ArmCounts Arm(string segment, string offerId, TriggerChannel channel) =>
        Pair(ArmKey(segment, offerId, channel)) is var (accepted, ignored) ? new ArmCounts(accepted, ignored) : default;

    public int CapacityLeft(OfferDefinition offer, string scope, string day)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (offer.Capacity is not { } capacity)
        {
            return int.MaxValue;
        }

        // A task beyond the declared count (a misconfiguration) still never gets more than its share of a larger split.
        var split = Math.Max(partitions, partition + 1);
        var budget = (capacity.PerDay / split) + (partition < capacity.PerDay % split ? 1 : 0);
        return budget - UsedOn(CapacityKey(offer.Id, scope), day);
    }

    public ExplorationTally Exploration => Pair(ExplorationKey) is var (choices, explorations) ? new ExplorationTally(choices, explorations) : default;

    /// <summary>Counts what a step sent and learned: capacity, the exploration tally, and each answered arm.</summary>
    public void Record(IReadOnlyList<OfferSend> sends, IReadOnlyList<OfferOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(sends);
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var send in sends)
        {
            var key = CapacityKey(send.OfferId, send.CapacityScope);
            Put(key, send.Day, UsedOn(key, send.Day) + 1);
            if (send.Learned)
            {
                var (choices, explorations) = Pair(ExplorationKey);
                Put(ExplorationKey, choices + 1, explorations + (send.Explored ? 1 : 0));
            }
        }

        foreach (var outcome in outcomes)
        {
            var key = ArmKey(outcome.Segment, outcome.OfferId, outcome.Channel);
            var (accepted, ignored) = Pair(key);
            Put(key, accepted + (outcome.Accepted ? 1 : 0), ignored + (outcome.Accepted ? 0 : 1));
        }
    }

    private static string ArmKey(string segment, string offerId, TriggerChannel channel) => $"arm|{segment}|{offerId}|{EnumNames.SnakeCase(channel)}";

    private static string CapacityKey(string offerId, string scope) => $"capacity|{offerId}|{scope}";

    /// <summary>Sends counted under a capacity key on <paramref name="day"/>: the entry holds one day, an older one counts nothing.</summary>
    private int UsedOn(string key, string day) =>
        store.Get(key) is { } stored && Encoding.UTF8.GetString(stored).Split(' ') is [var usedDay, var count] && usedDay == day
            ? int.Parse(count, CultureInfo.InvariantCulture)
            : 0;

    private (long, long) Pair(string key) => store.Get(key) is { } stored ? Parse(stored) : (0, 0);

    private static (long, long) Parse(byte[] stored) =>
        Encoding.UTF8.GetString(stored).Split(' ') is [var first, var second]
            ? (long.Parse(first, CultureInfo.InvariantCulture), long.Parse(second, CultureInfo.InvariantCulture))
            : throw new InvalidDataException("An offer-learning entry is not two numbers.");

    private void Put(string key, object first, long second) =>
        store.Put(key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{first} {second}")));
}
