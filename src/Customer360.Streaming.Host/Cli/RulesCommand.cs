using System.CommandLine;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 rules validate|variables|test</c>: check a rule file before it ships, list what conditions may use, and replay events through it.</summary>
internal static class RulesCommand
{
    public static Command Create() => new("rules", "Moment-of-truth rules (topology/triggers.yaml, with segments.yaml and offers.yaml beside it).") { Validate(), Variables(), RulesTestCommand.Create() };

    private static Command Validate()
    {
        var file = new Argument<string?>("file") { Description = "Rule file (default: triggers.yaml in the nearest topology/).", Arity = ArgumentArity.ZeroOrOne };
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("validate", "Compile every rule, segment and offer; print the rules, or every error (file, rule, field, column) and exit 2.") { file, topologyDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var path = parse.GetValue(file) ?? Path.Combine(ContentFolders.ResolveDirectory(parse.GetValue(topologyDir)), RuleCatalog.FileName);
                var rules = RuleCatalog.Load(path);
                await Console.Out.WriteLineAsync($"{path}: {rules.Rules.Count} rules, {rules.Segments.Count} segments, {rules.Offers.Count} offers, all valid");
                foreach (var rule in rules.Rules)
                {
                    await Console.Out.WriteLineAsync(
                        $"  {rule.Id} v{rule.Version}  on {string.Join(", ", rule.On)}{Timing(rule)}  -> {EnumNames.SnakeCase(rule.Hygiene.Channel)} (priority {rule.Hygiene.Priority}, cooldown {Durations.Format(rule.Hygiene.Cooldown)})"
                        + (rule.Offers.Count == 0 ? string.Empty : $", offers {string.Join(", ", rule.Offers.Select(o => o.Id))}"));
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is TopologyException or DirectoryNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.InvalidConfiguration;
            }
        });
        return command;
    }

    /// <summary>The temporal part of a rule, as one would say it.</summary>
    private static string Timing(TriggerRule rule) => rule switch
    {
        { Sequence: { } s } => $", after {string.Join(" or ", s.After)} within {Durations.Format(s.Within)}",
        { Absence: { } a } => $", then no {string.Join(" or ", a.Of)} within {Durations.Format(a.Within)}",
        { Dwell: { } d } => $", dwell in {EnumNames.SnakeCase(d.In)} for {Durations.Format(d.For)}",
        _ => string.Empty,
    };

    private static Command Variables()
    {
        var command = new Command("variables", "List the variables rule conditions may use, with their types.");
        command.SetAction(async (_, cancellationToken) =>
        {
            foreach (var (name, variable) in RuleVariables.All.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                await Console.Out.WriteLineAsync($"{name,-36} {variable.Type,-9} {variable.Description}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
