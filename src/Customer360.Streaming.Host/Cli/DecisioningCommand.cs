using System.CommandLine;
using System.Globalization;
using Customer360.Streaming.Host.Decisioning;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 decisioning evaluate</c>: how the learned offer policy does against fixed priority, random and the best fixed policy in hindsight.</summary>
internal static class DecisioningCommand
{
    public static Command Create() => new("decisioning", "Offer arbitration (topology/offers.yaml, segments.yaml).") { Evaluate() };

    private static Command Evaluate()
    {
        var customers = new Option<int>("--customers") { Description = "Simulated customers.", DefaultValueFactory = _ => 5_000 };
        customers.Validators.Add(r => CommonOptions.RequireRange(r, "--customers", 1, 200_000));
        var seed = new Option<int>("--seed") { Description = "Seed of the population, its days and its hidden propensities.", DefaultValueFactory = _ => 42 };
        var days = new Option<int>("--days") { Description = "Simulated days.", DefaultValueFactory = _ => 7 };
        days.Validators.Add(r => CommonOptions.RequireRange(r, "--days", 1, 90));
        var partitions = new Option<int>("--partitions") { Description = "Context partitions (each task learns from its own customers; default: as topics.yaml declares)." };
        // Left out, it is as topics.yaml declares; given, it is a count (0 used to mean "left out" without a word).
        partitions.Validators.Add(r => CommonOptions.RequireRange(r, "--partitions", 1, 256));
        var exploration = new Option<double>("--max-exploration-share") { Description = "The learned policy's exploration bound (Decisioning:MaxExplorationShare).", DefaultValueFactory = _ => 0.2 };
        exploration.Validators.Add(r =>
        {
            if (CommonOptions.Parsed<double>(r, out var share) && share is not (>= 0 and <= 1))
            {
                r.AddError($"--max-exploration-share must be between 0 and 1 (was {share.ToString(CultureInfo.InvariantCulture)}).");
            }
        });
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command(
            "evaluate",
            "Run a seeded population through the real topology in memory, once per policy (learned, fixed priority, random, best fixed in hindsight), and print how often offers were accepted.")
        {
            customers, seed, days, partitions, exploration, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var folder = parse.GetValue(topologyDir);
                var setup = RulesTestCommand.Setup(folder, null);
                var rules = RuleCatalog.Load(Path.Combine(ContentFolders.ResolveDirectory(folder), RuleCatalog.FileName));
                var partitionCount = parse.GetValue(partitions) is > 0 and var given ? given : Pipeline.ProductTopics.ContextPartitions(setup.Topics);
                var result = OfferEvaluation.Run(
                    rules, setup, parse.GetValue(customers), parse.GetValue(seed), parse.GetValue(days), partitionCount,
                    new Domain.Decisioning.DecisioningSettings { MaxExplorationShare = parse.GetValue(exploration) }, line => Console.Error.WriteLine($"[evaluate] {line}"));
                foreach (var (segment, offer) in result.BestOfferBySegment.OrderBy(b => b.Key, StringComparer.Ordinal))
                {
                    await Console.Out.WriteLineAsync($"best fixed offer in hindsight for {segment}: {offer}");
                }

                foreach (var outcome in new[] { result.Learned, result.BestFixed, result.Priority, result.Random })
                {
                    await Console.Out.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture, $"{outcome.Policy,-12} sends {outcome.Sends,7}  accepted {outcome.Accepted,7}  acceptance {outcome.Acceptance:0.000}  value {outcome.Value:0}"));
                    foreach (var (segment, offers) in outcome.SendsBySegment)
                    {
                        await Console.Out.WriteLineAsync($"               {segment}: {string.Join(", ", offers.Select(o => $"{o.Key} {o.Value}"))}");
                    }
                }

                await Console.Out.WriteLineAsync(result.Line);
                return ExitCodes.Success;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync(SettingsSection.Describe(ex.Failures));
                return ExitCodes.InvalidConfiguration;
            }
            catch (Exception ex) when (ex is TopologyException or DirectoryNotFoundException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.InvalidConfiguration;
            }
        });
        return command;
    }
}
