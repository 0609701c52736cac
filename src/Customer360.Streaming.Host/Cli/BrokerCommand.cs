using System.CommandLine;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 broker</c>: hosts the embedded Kafka cluster with every declared topic until SIGINT/SIGTERM.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var brokers = CommonOptions.Brokers();
        var bootstrapFile = new Option<FileInfo?>("--bootstrap-file")
        {
            Description = "Also write the bootstrap.servers list to this file (written whole, once topics exist).",
        };
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("broker", "Host the embedded Kafka cluster (librdkafka mock brokers on loopback) with the declared topics.")
        {
            brokers, bootstrapFile, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CommonOptions.TryLoadCatalog(parse.GetValue(topologyDir), out var catalog))
            {
                return ExitCodes.InvalidConfiguration;
            }

            using var cluster = EmbeddedKafkaCluster.Start(parse.GetValue(brokers), catalog.Topics);
            await Console.Out.WriteLineAsync($"bootstrap.servers={cluster.BootstrapServers}");
            if (parse.GetValue(bootstrapFile) is { } file)
            {
                try
                {
                    await WriteWholeAsync(file, cluster.BootstrapServers, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"--bootstrap-file {file.FullName} cannot be written: {ex.Message}");
                    return ExitCodes.InvalidConfiguration;
                }
            }

            await Console.Out.WriteLineAsync(
                $"ready: {cluster.BrokerCount} brokers, {catalog.Topics.Count} topics created "
                + "(development broker: no compaction, no transactional offsets, ~5 MiB per partition). Ctrl+C stops it.");
            await Console.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await Console.Out.WriteLineAsync("stopping embedded broker");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Readers poll for the file; writing a temporary file and renaming it means they never see half a line.</summary>
    private static async Task WriteWholeAsync(FileInfo file, string content, CancellationToken cancellationToken)
    {
        var temporary = file.FullName + ".tmp";
        await File.WriteAllTextAsync(temporary, content + Environment.NewLine, cancellationToken);
        File.Move(temporary, file.FullName, overwrite: true);
    }
}
