using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Tests.Triggers;

/// <summary>Choosing among a rule's offers: eligibility, Thompson draws seeded by the trigger id, the exploration bound.</summary>
public sealed class OfferArbitrationTests
{
    private const long T0 = 1_790_000_000_000;

    private static readonly OfferDefinition Coffee = new("coffee", "A coffee.", TriggerChannel.Push, 5, null, new OfferCapacity(2, CapacityScope.Offer));
    private static readonly OfferDefinition Socks = new("socks", "Socks.", TriggerChannel.Push, 5, null, null);
    private static readonly OfferDefinition Letter = new("letter", "A letter.", TriggerChannel.Email, 5, null, null, ValidFromMs: T0 + 1_000);

    private static readonly CustomerContext Customer = CustomerContext.Empty("c-1") with
    {
        Relationship = new RelationshipProfile(
            Guid.NewGuid(), T0, "rel", "c-1", "GOLD", "loyal", 100, 0.1, [], null, new Consent(Push: true), null, "UTC", "en"),
    };

    [Fact]
    public void The_same_trigger_id_draws_the_same_samples_and_another_id_draws_others()
    {
        var ledger = new Ledger { Arms = { [("none", "coffee")] = new ArmCounts(3, 7), [("none", "socks")] = new ArmCounts(4, 6) } };

        var first = Choose(ledger, "t-1");
        var again = Choose(ledger, "t-1");
        var other = Choose(ledger, "t-2");

        Assert.Equal(first.Candidates, again.Candidates);
        Assert.Equal(first.Offer, again.Offer);
        Assert.NotEqual(first.Candidates.Select(c => c.Sample), other.Candidates.Select(c => c.Sample));
        Assert.Equal([0.3333, 0.4167], first.Candidates.Select(c => Math.Round(c.PosteriorMean, 4)));
    }

    [Fact]
    public void Thompson_sampling_picks_the_better_arm_mostly_but_not_always()
    {
        var ledger = new Ledger { Arms = { [("none", "coffee")] = new ArmCounts(20, 80), [("none", "socks")] = new ArmCounts(30, 70) } };

        var choices = Enumerable.Range(0, 1_000).Select(i => Choose(ledger, $"t-{i}", maxShare: 1).Offer.Id).ToList();

        var socks = choices.Count(c => c == "socks");
        Assert.InRange(socks, 800, 999);
    }

    [Fact]
    public void Once_explorations_reach_the_allowed_share_the_best_expected_offer_is_taken()
    {
        // Socks has the better posterior mean (0.6 against 0.5): choosing coffee explores.
        var ledger = new Ledger { Arms = { [("none", "coffee")] = new ArmCounts(1, 1), [("none", "socks")] = new ArmCounts(2, 1) } };
        var exploringId = Enumerable.Range(0, 200).Select(i => $"t-{i}").First(id => Choose(ledger, id, maxShare: 1).Explored);
        var explored = Choose(ledger, exploringId, maxShare: 1);

        ledger.Tally = new ExplorationTally(Choices: 10, Explorations: 2);
        var bounded = Choose(ledger, exploringId, maxShare: 0.2);

        Assert.Equal("coffee", explored.Offer.Id);
        Assert.StartsWith("explored:", explored.Reason, StringComparison.Ordinal);
        Assert.False(bounded.Explored);
        Assert.Equal("socks", bounded.Offer.Id);
        Assert.StartsWith("exploitation: coffee sampled higher", bounded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offers_out_of_period_consent_or_capacity_are_excluded_and_say_why()
    {
        var ledger = new Ledger { CapacityUsed = 2 };
        var rule = Rule(Coffee, Socks, Letter);

        var (choice, excluded) = OfferArbitration.Choose(rule, "none", RuleScope.Of(Customer, T0), "t-1", T0, ledger, new DecisioningSettings());

        Assert.Equal("socks", choice!.Offer.Id);
        Assert.Equal(["coffee: capacity of 2 a day reached", "letter: not valid at this time"], excluded);

        var (none, why) = OfferArbitration.Choose(Rule(Coffee, Letter), "none", RuleScope.Of(Customer, T0 + 2_000), "t-1", T0 + 2_000, ledger, new DecisioningSettings());
        Assert.Null(none);
        Assert.Equal(["coffee: capacity of 2 a day reached", "letter: no email consent"], why);
    }

    [Fact]
    public void The_fixed_priority_takes_the_first_eligible_and_random_draws_from_the_trigger_id()
    {
        var ledger = new Ledger();
        var rule = Rule(Coffee, Socks);

        var priority = OfferArbitration.Choose(rule, "none", RuleScope.Of(Customer, T0), "t-1", T0, ledger, new DecisioningSettings { Policy = DecisionPolicy.Priority }).Choice!;
        var random = Enumerable.Range(0, 200)
            .Select(i => OfferArbitration.Choose(rule, "none", RuleScope.Of(Customer, T0), $"t-{i}", T0, ledger, new DecisioningSettings { Policy = DecisionPolicy.Random }).Choice!.Offer.Id)
            .ToList();

        Assert.Equal("coffee", priority.Offer.Id);
        Assert.InRange(random.Count(r => r == "socks"), 60, 140);
    }

    private static OfferChoice Choose(Ledger ledger, string triggerId, double maxShare = 0.2) =>
        OfferArbitration.Choose(Rule(Coffee, Socks), "none", RuleScope.Of(Customer, T0), triggerId, T0, ledger, new DecisioningSettings { MaxExplorationShare = maxShare }).Choice!;

    private static TriggerRule Rule(params OfferDefinition[] offers) =>
        new("offer", 1, "Offers.", ["app"], new RuleCompiler<RuleScope>(RuleVariables.All).Compile("context.known"), new HygieneRule("offer", TriggerChannel.Push, 10, TimeSpan.Zero), TimeSpan.FromHours(1), "t")
        {
            Offers = offers,
        };

    private sealed class Ledger : IOfferLedger
    {
        public Dictionary<(string Segment, string Offer), ArmCounts> Arms { get; } = [];

        public int CapacityUsed { get; init; }

        public ExplorationTally Tally { get; set; }

        public ArmCounts Arm(string segment, string offerId, TriggerChannel channel) => Arms.GetValueOrDefault((segment, offerId));

        public int CapacityLeft(OfferDefinition offer, string scope, string day) => offer.Capacity is { } capacity ? capacity.PerDay - CapacityUsed : int.MaxValue;

        public ExplorationTally Exploration => Tally;
    }
}
