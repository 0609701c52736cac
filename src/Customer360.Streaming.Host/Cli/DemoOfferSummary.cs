using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline;

namespace Customer360.Streaming.Host.Cli;

/// <summary>The offers part of <c>c360 demo</c>'s summary.</summary>
internal static class DemoOfferSummary
{
    /// <summary>
    /// What the learned policy achieved live, and the policies side by side on a seeded population in memory (the
    /// live run is too short, and runs one policy only).
    /// </summary>
    public static void Say(
        IReadOnlyDictionary<(string Offer, string Segment), (long Accepted, long Answered)> answers, RuleSet? rules, string? topologyDirectory, string applicationId)
    {
        if (rules is null || !rules.Rules.Any(r => r.Offers.Count > 0))
        {
            return;
        }

        var (accepted, answered) = (answers.Values.Sum(a => a.Accepted), answers.Values.Sum(a => a.Answered));
        DemoCommand.Say($"  offers answered live (learned policy): {accepted} accepted of {answered}"
            + (answered == 0 ? string.Empty : $" = {(double)accepted / answered:0.000}; by segment: "
                + string.Join(", ", answers.GroupBy(a => a.Key.Segment).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key} {g.Sum(a => a.Value.Accepted)}/{g.Sum(a => a.Value.Answered)}"))));
        const int customers = 2_000;
        var setup = RulesTestCommand.Setup(topologyDirectory, applicationId);
        var partitions = ProductTopics.ContextPartitions(setup.Topics);
        var evaluation = Decisioning.OfferEvaluation.Run(rules, setup, customers, seed: 42, days: 7, partitions);
        DemoCommand.Say($"  acceptance by policy ({customers} simulated customers over 7 days, in memory): {evaluation.Line}");
    }
}
