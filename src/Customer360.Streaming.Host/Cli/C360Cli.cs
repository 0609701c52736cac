using System.CommandLine;

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
        root.Subcommands.Add(LagCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }
}
