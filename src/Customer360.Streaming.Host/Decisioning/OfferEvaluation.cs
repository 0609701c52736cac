using System.Globalization;
using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Host.Decisioning;

/// <summary>What one policy achieved over the simulated period.</summary>
/// <param name="SendsBySegment">Per segment, the sends of each offer: what the policy chose.</param>
public sealed record PolicyOutcome(string Policy, long Sends, long Accepted, decimal Value, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> SendsBySegment)
{
    public double Acceptance => Sends == 0 ? 0 : (double)Accepted / Sends;
}

/// <summary>The four policies on the same population and the same days.</summary>
/// <param name="BestOfferBySegment">The hindsight policy: per segment, the single offer with the best expected value.</param>
public sealed record EvaluationResult(PolicyOutcome Learned, PolicyOutcome BestFixed, PolicyOutcome Priority, PolicyOutcome Random, IReadOnlyDictionary<string, string> BestOfferBySegment)
{
    /// <summary>The learned policy's acceptance as a share of the best fixed policy's.</summary>
    public double Ratio => BestFixed.Acceptance == 0 ? 0 : Learned.Acceptance / BestFixed.Acceptance;

    public string Line => string.Create(
        CultureInfo.InvariantCulture,
        $"learned policy acceptance {Learned.Acceptance:0.000} = {Ratio:0.00} of the best fixed policy ({BestFixed.Acceptance:0.000}); fixed priority {Priority.Acceptance:0.000}; random {Random.Acceptance:0.000}; sends {Learned.Sends}");
}

/// <summary>
/// <c>c360 decisioning evaluate</c>: a seeded population runs through the real topology in memory for a simulated
/// period, once per policy: the learned one, a fixed priority (the first eligible offer of the rule), random among
/// the eligible offers, and the best fixed policy in hindsight (per segment the one offer with the best expected
/// value, known from the simulator's hidden propensities). Customers open the app on most days in daytime, the shipped
/// rules decide, and each offer is answered by the customer's hidden propensity (<see cref="OfferPropensity"/>).
/// </summary>
public static class OfferEvaluation
{
    // 2026-01-05T00:00:00Z: a fixed start in the past (the codec refuses events from the future), so the same seed gives the same run.
    private const long StartMs = 1_767_571_200_000;
    private const double DailyAppOpenShare = 0.7;

    /// <param name="learning">The learned policy's settings (its exploration bound); the policy itself is set per run.</param>
    public static EvaluationResult Run(
        RuleSet rules, ReplaySetup setup, int customers, int seed, int days, int partitions, DecisioningSettings? learning = null, Action<string>? progress = null)
    {
        var learnedSettings = (learning ?? new DecisioningSettings()) with { Policy = DecisionPolicy.Learned };
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(setup);
        if (!rules.Rules.Any(r => r.Offers.Count > 0))
        {
            throw new InvalidOperationException("No rule proposes offers (offers: [...] in triggers.yaml): there is nothing to evaluate.");
        }

        var learned = Simulate(rules, setup, customers, seed, days, partitions, learnedSettings, progress);
        var best = BestOffers(learned.Moments, seed, rules.Offers);
        var bestFixed = Simulate(rules, setup, customers, seed, days, partitions, new DecisioningSettings { Policy = DecisionPolicy.PerSegment, OfferBySegment = best }, progress);
        var priority = Simulate(rules, setup, customers, seed, days, partitions, new DecisioningSettings { Policy = DecisionPolicy.Priority }, progress);
        var random = Simulate(rules, setup, customers, seed, days, partitions, new DecisioningSettings { Policy = DecisionPolicy.Random }, progress);
        return new EvaluationResult(learned.Outcome, bestFixed.Outcome, priority.Outcome, random.Outcome, best);
    }

    /// <summary>A moment an offer was chosen: who, in which segment, among which eligible offers.</summary>
    private sealed record Moment(string CustomerId, string Segment, IReadOnlyList<string> Eligible);

    private sealed record Simulation(PolicyOutcome Outcome, IReadOnlyList<Moment> Moments);

    private static Simulation Simulate(RuleSet rules, ReplaySetup setup, int customers, int seed, int days, int partitions, DecisioningSettings decisioning, Action<string>? progress)
    {
        var registry = new InProcessSchemaRegistry();
        var settings = setup.Pipeline(rules, registry) with { WallClockTimers = false, Decisioning = decisioning with { ContextPartitions = partitions } };
        var names = settings.Topics;
        var driver = new InMemoryTopologyRunner(ProductTopology.Build(setup.ApplicationId, setup.Topics, settings, new PipelineMetrics(), NullLoggerFactory.Instance), partitions);
        var writer = new ChannelEventWriter(setup.Contracts);
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var population = new Population(customers, seed, setup.Stores, StartMs, topics: names);
        var byId = population.Customers.ToDictionary(c => c.CustomerId, StringComparer.Ordinal);
        var offerValues = rules.Offers.ToDictionary(o => o.Id, o => o.Value, StringComparer.Ordinal);

        var queue = new PriorityQueue<SimulatedRecord, (long TimeMs, long Sequence)>();
        var sequence = 0L;
        foreach (var record in population.Setup().Concat(AppOpens(population, seed, days, names)))
        {
            queue.Enqueue(record, (record.Event.EventTimeMs, sequence++));
        }

        var (triggersRead, decisionsRead, sends, accepted, value) = (0, 0, 0L, 0L, 0m);
        var chosen = new SortedDictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);
        var moments = new List<Moment>();
        var processed = 0;
        while (queue.TryDequeue(out var record, out _))
        {
            var bytes = serializer.SerializeAsync(writer.Write(record.Event, record.Identifier), record.Topic).GetAwaiter().GetResult();
            driver.PipeInput(record.Topic, record.Key, bytes, record.Event.EventTimeMs);
            if (++processed % 20_000 == 0)
            {
                progress?.Invoke($"{EnumNames.SnakeCase(decisioning.Policy)}: {processed:N0} records, {sends:N0} offers sent");
            }

            var triggers = driver.ReadOutput(names.Triggers);
            for (; triggersRead < triggers.Count; triggersRead++)
            {
                var trigger = deserializer.Deserialize(triggers[triggersRead].Value);
                if (trigger["offer"] is not GenericRecord offer)
                {
                    continue;
                }

                var (offerId, segment, customer) = ((string)offer["offerId"], (string)offer["segment"], (string)trigger["customerId"]);
                var sentMs = AvroTimestamps.ToEpochMillis(trigger["eventTime"]) ?? record.Event.EventTimeMs;
                var answer = population.Respond((string)trigger["triggerId"], customer, ((GenericEnum)trigger["channel"]).Value, sentMs, (offerId, segment));
                sends++;
                var bySegment = chosen.TryGetValue(segment, out var existing) ? existing : chosen[segment] = new(StringComparer.Ordinal);
                bySegment[offerId] = bySegment.GetValueOrDefault(offerId) + 1;
                if (answer is not null)
                {
                    queue.Enqueue(answer, (answer.Event.EventTimeMs, sequence++));
                    if (Accepts(answer.Event))
                    {
                        accepted++;
                        value += offerValues[offerId];
                    }
                }
            }

            var decisions = driver.ReadOutput(names.Decisions);
            for (; decisionsRead < decisions.Count; decisionsRead++)
            {
                var decision = deserializer.Deserialize(decisions[decisionsRead].Value);
                if (decision["offerDecision"] is GenericRecord offerDecision && byId.ContainsKey((string)decision["customerId"]))
                {
                    var eligible = ((object[])offerDecision["candidates"]).Cast<GenericRecord>().Select(c => (string)c["offerId"]).ToList();
                    moments.Add(new Moment((string)decision["customerId"], (string)offerDecision["segment"], eligible));
                }
            }
        }

        var sendsBySegment = chosen.ToDictionary(s => s.Key, s => (IReadOnlyDictionary<string, long>)s.Value, StringComparer.Ordinal);
        return new Simulation(new PolicyOutcome(EnumNames.SnakeCase(decisioning.Policy), sends, accepted, value, sendsBySegment), moments);
    }

    private static bool Accepts(ChannelEvent answer) => answer switch
    {
        AppEvent app => app.Type == AppEventType.PushOpened,
        TriggerResponse response => response.Outcome is ResponseOutcome.Opened or ResponseOutcome.Clicked or ResponseOutcome.Converted,
        _ => false,
    };

    /// <summary>Most customers open the app on most days, once, in daytime (Berlin), outside the shipped quiet hours.</summary>
    private static IEnumerable<SimulatedRecord> AppOpens(Population population, int seed, int days, ProductTopicNames names)
    {
        for (var day = 0; day < days; day++)
        {
            foreach (var customer in population.Customers)
            {
                var draw = $"{seed}\nopen\n{customer.CustomerId}\n{day}";
                if (OfferPropensity.Uniform(draw) >= DailyAppOpenShare)
                {
                    continue;
                }

                // 08:00 to 20:00 UTC is 09:00 to 21:00 in Berlin in winter.
                var atMs = StartMs + (day * 86_400_000L) + (8 * 3_600_000L) + (long)(OfferPropensity.Uniform(draw + "\nat") * 12 * 3_600_000);
                yield return new SimulatedRecord(names.Mobile, "device:" + customer.DeviceId, new AppEvent(DeterministicIds.Uuid(draw), atMs, names.Mobile, AppEventType.AppOpen, customer.DeviceId));
            }
        }
    }

    /// <summary>
    /// The best single offer per segment in hindsight: over the moments the learned run chose an offer, the one whose
    /// expected value (the customers' hidden propensity × value) sums highest, where offers not eligible at a moment
    /// count as the first eligible one (what a fixed policy would have sent instead). Only offers eligible at some
    /// moment of the segment compete; ties go to the earlier offer of the catalog.
    /// </summary>
    private static Dictionary<string, string> BestOffers(IReadOnlyList<Moment> moments, int seed, IReadOnlyList<OfferDefinition> offers)
    {
        var values = offers.ToDictionary(o => o.Id, o => (double)o.Value, StringComparer.Ordinal);
        double Worth(Moment m, string offer) => OfferPropensity.Of(seed, m.CustomerId, m.Segment, offer) * values[offer];
        return moments.GroupBy(m => m.Segment, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => offers.Select(o => o.Id)
                .Where(offer => g.Any(m => m.Eligible.Contains(offer)))
                .Select((offer, order) => (Offer: offer, Order: order, Total: g.Sum(m => m.Eligible.Contains(offer) ? Worth(m, offer) : Worth(m, m.Eligible[0]))))
                .OrderByDescending(x => x.Total).ThenBy(x => x.Order).First().Offer,
            StringComparer.Ordinal);
    }
}
