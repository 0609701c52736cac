using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.IntegrationTests.Edges;

/// <summary>
/// The product topology on the embedded broker and registry with topics of its own, and a writer for its inputs: what
/// the edge tests feed bad records to. Unknown schema ids are retried for 2 s before they are dead-lettered.
/// </summary>
internal sealed class EdgeTopology : IDisposable
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private static readonly StoreDirectory Stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));

    private readonly SchemaRegistryClient _registryClient;
    private readonly PipelineMetrics _metrics = new();

    private EdgeTopology(string directory, TopicCatalog catalog, string applicationId, KafkaFixture kafka, SchemaRegistryFixture registry)
    {
        TopologyDirectory = directory;
        Topics = ProductTopicNames.FromCatalog(catalog);
        _registryClient = registry.CreateClient();
        var codec = new EventCodec(
            _registryClient, new AvroSerdeOptions(), Contracts, catalog, TimeProvider.System, TimeSpan.FromMinutes(5), new UnknownSchemaIdRetry(TimeSpan.FromSeconds(2), TimeProvider.System));
        Topology = ProductTopology.Build(applicationId, catalog, new ContextPipelineSetup(new ContextSettings(), new IdentitySettings(), Stores, codec, Topics), _metrics, NullLoggerFactory.Instance);
        Options = kafka.Options(applicationId);
        Options.FetchWaitMaxMs = 10;
        Input = new InputWriter(Options, _registryClient, Topics, catalog);
    }

    /// <summary>The folder holding the topology's topics.yaml, for a c360 verb run against it.</summary>
    public string TopologyDirectory { get; }

    public ProductTopicNames Topics { get; }

    public StreamTopology Topology { get; }

    public KafkaOptions Options { get; }

    public InputWriter Input { get; }

    public static async Task<EdgeTopology> CreateAsync(KafkaFixture kafka, SchemaRegistryFixture registry, UniqueNames names, string applicationId)
    {
        var (directory, catalog) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);
        return new EdgeTopology(directory, catalog, applicationId, kafka, registry);
    }

    public void Dispose()
    {
        Input.Dispose();
        _metrics.Dispose();
        _registryClient.Dispose();
    }
}
