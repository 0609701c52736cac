using System.CommandLine;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 topology describe</c>: prints what the processor reads and writes.</summary>
internal static class TopologyCommand
{
    public static Command Create()
    {
        var topologyDir = CommonOptions.TopologyDirectory();
        var describe = new Command("describe", "Print the declared topics (roles, keys, co-partition groups) and the processor's sub-topologies, stores and sinks.") { topologyDir };
        describe.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var path = ContentFolders.TopicsFile(parse.GetValue(topologyDir));
                var catalog = TopicCatalog.Load(path);
                await Console.Out.WriteAsync(TopologyDescription.Render(catalog, path));
                await Console.Out.WriteLineAsync();
                await Console.Out.WriteAsync(Pipeline.ProductTopology.Shape(Environment.GetEnvironmentVariable("C360__Kafka__ApplicationId") ?? "c360", catalog).Describe());
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is TopologyException or DirectoryNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.InvalidConfiguration;
            }
        });
        return new Command("topology", "Inspect the declarative topology.") { describe };
    }
}
