using System.Text.RegularExpressions;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Host.Decisioning;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Decisioning;

/// <summary>
/// The learned offer policy on the simulator's seeded population, through the real topology: a property of the
/// simulation (the same seed gives the same run), not a timing.
/// </summary>
public sealed partial class OfferEvaluationTests
{
    [Fact]
    public void On_five_thousand_customers_over_a_week_learning_beats_random_and_fixed_priority_and_reaches_nine_tenths_of_the_best_fixed_policy()
    {
        var rules = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
        var setup = RulesTestCommand.Setup(RepositoryLayout.TopologyDirectory, "c360");

        var result = OfferEvaluation.Run(rules, setup, customers: 5_000, seed: 42, days: 7, partitions: 6);

        Assert.True(result.Learned.Sends > 10_000, result.Line);
        Assert.True(result.Learned.Acceptance > result.Random.Acceptance, result.Line);
        Assert.True(result.Learned.Acceptance > result.Priority.Acceptance, result.Line);
        Assert.True(result.Ratio >= 0.9, result.Line);
        Assert.Matches(LinePattern(), result.Line);

        // The hindsight policy sends each segment one offer; the learned one tried several and settled.
        Assert.All(result.BestFixed.SendsBySegment.Values, offers => Assert.Single(offers));
        Assert.All(result.Learned.SendsBySegment.Where(s => s.Value.Values.Sum() > 1_000), s => Assert.True(s.Value.Count > 1, s.Key));
    }

    [GeneratedRegex(@"^learned policy acceptance 0\.\d{3} = \d\.\d{2} of the best fixed policy \(0\.\d{3}\); fixed priority 0\.\d{3}; random 0\.\d{3}; sends \d+$")]
    private static partial Regex LinePattern();
}
