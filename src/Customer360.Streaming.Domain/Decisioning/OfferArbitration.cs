using System.Globalization;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;
using MathNet.Numerics.Distributions;

namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>One eligible offer as arbitration scored it.</summary>
/// <param name="PosteriorMean">The arm's Beta posterior mean: the expected acceptance.</param>
/// <param name="Sample">The Thompson draw from that posterior (the mean under the other policies).</param>
/// <param name="Score">What the offers were ranked by: sample × value under the learned policy.</param>
public sealed record OfferCandidate(string OfferId, TriggerChannel Channel, decimal Value, double PosteriorMean, double Sample, double Score);

/// <summary>The offer a rule proposes at one moment, the candidates it was chosen from, and why it won.</summary>
/// <param name="Segment">The segment whose arms were consulted (and will learn from the response).</param>
/// <param name="Excluded">Offers of the rule that were not candidates, each with why.</param>
public sealed record OfferChoice(
    OfferDefinition Offer, string Segment, string CapacityScope, string Day, DecisionPolicy Policy, bool Explored, IReadOnlyList<OfferCandidate> Candidates,
    IReadOnlyList<string> Excluded, string Reason)
{
    /// <summary>Chosen by the learned policy: counts toward the exploration share.</summary>
    public bool Learned => Policy == DecisionPolicy.Learned;

    public OfferCandidate Winner => Candidates.First(c => c.OfferId == Offer.Id);
}

/// <summary>
/// Chooses among a rule's offers by expected value, P(accept | segment, offer, channel) × value. P is a Beta-Bernoulli
/// posterior per arm learned from accepted and ignored sends; Thompson sampling explores, with each draw seeded by the
/// trigger id and the offer, so a replay draws the same. Exploration is bounded: once a task's share of choices that
/// differ from the greedy one (best posterior mean × value) reaches the limit, the greedy offer is taken.
/// </summary>
public static class OfferArbitration
{
    /// <summary>Reseeded for every draw (see <see cref="ThompsonDraws"/>); one per thread, since tasks run on several.</summary>
    [ThreadStatic]
    private static ThompsonDraws? Draws;

    /// <summary>The offer for <paramref name="rule"/>, or null when none is eligible; the excluded offers say why each was left out.</summary>
    public static (OfferChoice? Choice, IReadOnlyList<string> Excluded) Choose(
        TriggerRule rule, string segment, RuleScope scope, string triggerId, long timeMs, IOfferLedger ledger, DecisioningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(settings);
        var day = DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var excluded = new List<string>();
        var eligible = new List<(OfferDefinition Offer, string CapacityScope)>();
        foreach (var offer in rule.Offers)
        {
            var capacityScope = CapacityScopeOf(offer, scope.Context);
            if (!offer.ValidAt(timeMs))
            {
                excluded.Add($"{offer.Id}: not valid at this time");
            }
            else if (!TriggerHygiene.HasConsent(offer.Channel, scope.Context.Relationship?.Consent))
            {
                excluded.Add($"{offer.Id}: no {EnumNames.SnakeCase(offer.Channel)} consent");
            }
            else if (offer.Eligible is { } eligibility && !eligibility.Evaluate(scope))
            {
                excluded.Add($"{offer.Id}: not eligible ({eligibility.Source})");
            }
            else if (offer.Capacity is { } capacity && ledger.CapacityLeft(offer, capacityScope, day) <= 0)
            {
                excluded.Add($"{offer.Id}: capacity of {capacity.PerDay} a day{(capacity.Per == CapacityScope.Store ? " at " + capacityScope : string.Empty)} reached");
            }
            else
            {
                eligible.Add((offer, capacityScope));
            }
        }

        if (eligible.Count == 0)
        {
            return (null, excluded);
        }

        var learned = settings.Policy == DecisionPolicy.Learned;
        var candidates = eligible.Select((e, index) => Score(e.Offer, index, eligible.Count, segment, triggerId, ledger, learned)).ToList();
        var (winner, explored, reason) = settings.Policy switch
        {
            DecisionPolicy.Learned => Learned(candidates, ledger.Exploration, settings.MaxExplorationShare),
            DecisionPolicy.Random => (Math.Abs(DeterministicIds.Seed($"{triggerId}\nrandom") % candidates.Count), false, $"drawn at random among {candidates.Count} eligible"),
            DecisionPolicy.PerSegment when settings.OfferBySegment.GetValueOrDefault(segment) is { } fixedOffer && candidates.FindIndex(c => c.OfferId == fixedOffer) is >= 0 and var index =>
                (index, false, $"the fixed offer of segment {segment}"),
            _ => (0, false, "first eligible in the rule's list (fixed priority)"),
        };
        var chosen = eligible[winner];
        return (new OfferChoice(chosen.Offer, segment, chosen.CapacityScope, day, settings.Policy, explored, candidates, excluded, reason), excluded);
    }

    private static OfferCandidate Score(OfferDefinition offer, int index, int count, string segment, string triggerId, IOfferLedger ledger, bool learned)
    {
        var arm = ledger.Arm(segment, offer.Id, offer.Channel);
        var value = (double)offer.Value;
        if (!learned)
        {
            // Listed order is the priority: the first scores highest.
            return new OfferCandidate(offer.Id, offer.Channel, offer.Value, arm.Mean, arm.Mean, count - index);
        }

        var draws = Draws ??= new ThompsonDraws();
        draws.Reseed(DeterministicIds.Seed($"{triggerId}\n{offer.Id}"));
        var sample = Beta.Sample(draws, arm.Alpha, arm.Beta);
        return new OfferCandidate(offer.Id, offer.Channel, offer.Value, arm.Mean, sample, sample * value);
    }

    /// <summary>The Thompson winner, unless it explores past the allowed share; ties go to the earlier offer in the rule's list.</summary>
    private static (int Winner, bool Explored, string Reason) Learned(List<OfferCandidate> candidates, ExplorationTally tally, double maxShare)
    {
        var sampled = ArgMax(candidates, c => c.Score);
        var greedy = ArgMax(candidates, c => c.PosteriorMean * (double)c.Value);
        var best = candidates[greedy];
        if (sampled == greedy)
        {
            return (sampled, false, $"highest sampled acceptance x value ({Show(best.Score)}); also the best expected ({Show(best.PosteriorMean)} x {best.Value.ToString(CultureInfo.InvariantCulture)})");
        }

        var share = (tally.Explorations + 1) / (double)(tally.Choices + 1);
        return share <= maxShare
            ? (sampled, true, $"explored: sampled acceptance x value {Show(candidates[sampled].Score)} beat {best.OfferId}, the best expected ({Show(best.PosteriorMean * (double)best.Value)})")
            : (greedy, false, $"exploitation: {candidates[sampled].OfferId} sampled higher, but exploration is at its limit ({tally.Explorations} of {tally.Choices} choices)");
    }

    private static int ArgMax(List<OfferCandidate> candidates, Func<OfferCandidate, double> by)
    {
        var best = 0;
        for (var i = 1; i < candidates.Count; i++)
        {
            best = by(candidates[i]) > by(candidates[best]) ? i : best;
        }

        return best;
    }

    /// <summary>What an offer's capacity is counted against for this customer.</summary>
    private static string CapacityScopeOf(OfferDefinition offer, CustomerContext context) => offer.Capacity?.Per switch
    {
        CapacityScope.Store => context.InStore.StoreId
            ?? (context.Location.State is PresenceState.InStore or PresenceState.NearStore ? context.Location.NearestStoreId : null)
            ?? "no-store",
        _ => "all",
    };

    private static string Show(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
