using System.CommandLine;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 schemas register|check</c>: puts the contracts of <c>schemas/</c> into a registry from CI/CD, so production
/// can run with auto-registration off, or checks them against it without registering.
/// </summary>
internal static class SchemasCommand
{
    public static Command Create()
    {
        var register = Verb("register", "Register every version of every contract under its topic's subject (<topic>-value), oldest first.", registerAll: true);
        var check = Verb("check", "Lint the contracts and check each latest version against the registry's compatibility rules; registers nothing.", registerAll: false);
        return new Command("schemas", "Avro contracts and the Schema Registry.") { register, check };
    }

    private static Command Verb(string name, string description, bool registerAll)
    {
        var registryUrl = new Option<string?>("--registry-url") { Description = "Schema Registry URL(s) (default: C360__SchemaRegistry__Url, else http://127.0.0.1:8081)." };
        var schemasDir = new Option<string?>("--schemas-dir") { Description = "Folder of contracts (default: the nearest schemas/)." };
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command(name, description) { registryUrl, schemasDir, topologyDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var url = CommonOptions.RegistryUrl(parse.GetValue(registryUrl)) ?? "http://127.0.0.1:8081";
            if (!CommonOptions.TryRegistryOptions(url, out var options))
            {
                return ExitCodes.InvalidConfiguration;
            }

            SchemaCatalog contracts;
            TopicCatalog topics;
            try
            {
                contracts = SchemaCatalog.Load(ContentFolders.SchemasDirectory(parse.GetValue(schemasDir)));
                topics = TopicCatalog.Load(ContentFolders.TopicsFile(parse.GetValue(topologyDir)));
            }
            catch (Exception ex) when (ex is InvalidDataException or TopologyException or DirectoryNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.InvalidConfiguration;
            }

            using var registry = new SchemaRegistryClient(options);
            try
            {
                return registerAll
                    ? await RegisterAsync(registry, contracts, topics, cancellationToken)
                    : await CheckAsync(registry, contracts, topics, cancellationToken);
            }
            catch (SchemaRegistryException ex)
            {
                await Console.Error.WriteLineAsync($"registry error {ex.ErrorCode}: {ex.Message}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }

    /// <summary>The subject and contract of every topic that declares a value schema.</summary>
    internal static IEnumerable<(string Subject, string Contract)> Subjects(TopicCatalog topics) =>
        topics.Topics.Where(t => t.ValueSchema is not null)
            .Select(t => (AvroSerdeOptions.Subject(SubjectNameStrategy.Topic, t.Name, string.Empty), t.ValueSchema!));

    private static async Task<int> RegisterAsync(SchemaRegistryClient registry, SchemaCatalog contracts, TopicCatalog topics, CancellationToken cancellationToken)
    {
        foreach (var (subject, contract) in Subjects(topics))
        {
            foreach (var version in contracts.Versions(contract))
            {
                var id = await registry.RegisterAsync(subject, version.Json, cancellationToken: cancellationToken);
                await Console.Out.WriteLineAsync($"registered {subject,-40} {contract}/v{version.Version} -> id {id}");
            }
        }

        return ExitCodes.Success;
    }

    private static async Task<int> CheckAsync(SchemaRegistryClient registry, SchemaCatalog contracts, TopicCatalog topics, CancellationToken cancellationToken)
    {
        var incompatible = 0;
        foreach (var (subject, contract) in Subjects(topics))
        {
            var latest = contracts.Latest(contract);
            var result = await registry.TestCompatibilityAsync(subject, latest.Json, cancellationToken);
            await Console.Out.WriteLineAsync($"{(result.IsCompatible ? "compatible  " : "INCOMPATIBLE")} {subject,-40} {contract}/v{latest.Version}");
            foreach (var message in result.IsCompatible ? [] : result.Messages)
            {
                await Console.Out.WriteLineAsync($"    {message}");
            }

            incompatible += result.IsCompatible ? 0 : 1;
        }

        return incompatible == 0 ? ExitCodes.Success : ExitCodes.RuntimeFailure;
    }
}
