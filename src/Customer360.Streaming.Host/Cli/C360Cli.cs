using System.CommandLine;
using Customer360.Streaming.Host.Hosting;
using Microsoft.Extensions.Hosting;

namespace Customer360.Streaming.Host.Cli;

/// <summary>The <c>c360</c> command tree; each verb lives in its own file.</summary>
public static class C360Cli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Customer360.Streaming: live customer context and moment-of-truth triggers on Kafka.");
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(TopologyCommand.Create());
        root.Subcommands.Add(TopicsCommand.Create());
        root.Subcommands.Add(RegistryCommand.Create());
        root.Subcommands.Add(SchemasCommand.Create());
        root.Subcommands.Add(ContextCommand.Create());
        root.Subcommands.Add(RulesCommand.Create());
        root.Subcommands.Add(DecisioningCommand.Create());
        root.Subcommands.Add(LagCommand.Create());
        root.Subcommands.Add(DeadLettersCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs a command line as the program does. One that does not parse (an unknown option, a value out of
    /// range or of the wrong type) is invalid configuration, as a bad setting is: its errors and the verb's usage are
    /// printed, and the exit code is 2 rather than System.CommandLine's 1, which says a runtime failure here.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Create().Parse(args);
        var exitCode = await parse.InvokeAsync(Invocation(), cancellationToken);
        return parse.Errors.Count > 0 ? ExitCodes.InvalidConfiguration : exitCode;
    }

    /// <summary>
    /// How the verbs are invoked. On SIGINT/SIGTERM System.CommandLine cancels the verb's token and, by default, ends
    /// the process with 130/143 two seconds later, which cut a clean shutdown (final commits, leaving the group,
    /// stopping the demo's children) short on a busy machine. The verbs get the generic host's whole shutdown budget
    /// and a margin instead; the host's own timeout still bounds <c>c360 run</c>.
    /// </summary>
    public static InvocationConfiguration Invocation() => new() { ProcessTerminationTimeout = ShutdownBudget };

    /// <summary>The generic host's default shutdown timeout (30 s) plus a margin for disposing what it stopped.</summary>
    public static TimeSpan ShutdownBudget { get; } = new HostOptions().ShutdownTimeout + TimeSpan.FromSeconds(15);
}
