using Customer360.Streaming.Domain;

namespace Customer360.Streaming.Simulation;

/// <summary>
/// The simulated customers' hidden truth about offers: each customer's probability of accepting an offer while in a
/// segment. A segment × offer base (from 4 % to 54 %) scaled by the customer's own taste for that offer (0.75 to 1.25),
/// all drawn from the seed, so learning can be judged against the best policy in hindsight. The processor never sees
/// it; it only sees the responses it causes.
/// </summary>
public static class OfferPropensity
{
    public static double Of(int seed, string customerId, string segment, string offerId)
    {
        var shared = 0.04 + (0.50 * Uniform($"{seed}\nsegment\n{segment}\n{offerId}"));
        var own = 0.75 + (0.50 * Uniform($"{seed}\ncustomer\n{customerId}\n{offerId}"));
        return Math.Min(0.95, shared * own);
    }

    /// <summary>The segment × offer base alone: what the average customer of the segment does.</summary>
    public static double SegmentBase(int seed, string segment, string offerId) => 0.04 + (0.50 * Uniform($"{seed}\nsegment\n{segment}\n{offerId}"));

    /// <summary>A uniform draw in [0, 1) from a name: the same name, the same draw, in every process.</summary>
    public static double Uniform(string name) => (uint)DeterministicIds.Seed(name) / 4_294_967_296.0;
}
