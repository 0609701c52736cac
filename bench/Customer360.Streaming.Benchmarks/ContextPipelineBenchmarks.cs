using Avro.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The context pipeline's two costs, each per operation of one context change:
/// <list type="bullet">
/// <item>processing: journey events (Avro) through identity stitching and the context reducers on the topology test
/// driver (no broker), including the repartition hop, the store, the changelog and the snapshot encoding;</item>
/// <item>materializing: context documents written to a real redis-server in batches through the version
/// compare-and-set, one pipelined round trip per batch (two when store presence changed).</item>
/// </list>
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ContextPipelineBenchmarks
{
    public const int Customers = 2_000;
    public const int Events = 10_000;
    public const int Batch = 500;

    private static readonly TopicCatalog Topics = TopicCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "topics.yaml"));
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    private readonly RedisServerFixture _redis = new();
    private ContextPipelineSetup _settings = null!;
    private List<(string Topic, string Key, byte[] Value, long Time)> _setup = [];
    private List<(string Topic, string Key, byte[] Value, long Time)> _journeys = [];
    private TopologyTestDriver _driver = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisContextWriter _writer = null!;
    private List<ContextDocument> _documents = [];
    private long _version;
    private long _batches;
    private long _roundTrips;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InProcessSchemaRegistry();
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, StoreCatalog.FileName));
        _settings = new ContextPipelineSetup(new ContextSettings(), new IdentitySettings(), stores,
            new EventCodec(registry, new AvroSerdeOptions(), Contracts, Topics), ProductTopicNames.Default)
        {
            // As the processor runs them, from the topology folder; without them only contexts are kept.
            Rules = ShippedRules ? new LiveRuleSet(RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml"))) : null,
        };
        var population = new Population(Customers, seed: 3, stores, 1_790_000_000_000);
        var writer = new ChannelEventWriter(Contracts);
        var serializer = new AvroSerializer<GenericRecord>(registry);
        (string, string, byte[], long) Encode(SimulatedRecord r) =>
            (r.Topic, r.Key, serializer.SerializeAsync(writer.Write(r.Event, r.Identifier), r.Topic).GetAwaiter().GetResult(), r.Event.EventTimeMs);
        _setup = [.. population.Setup().Select(Encode)];
        _journeys = [.. population.Events(Events).Select(Encode)];

        _redis.InitializeAsync().AsTask().GetAwaiter().GetResult();
        if (!_redis.IsAvailable)
        {
            throw new InvalidOperationException(_redis.SkipReason);
        }

        _connection = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        _writer = new RedisContextWriter(_connection, new RedisKeys("bench"));
        // Realistic documents: the contexts the pipeline builds from the same journeys.
        IterationSetupPipeline();
        ProcessJourneys();
        _documents = [.. Enumerable.Range(0, PipelineHarnessPartitions)
            .SelectMany(p => _driver.StoreContents(ProductTopics.ContextsStore, p).Values)
            .Select(stored => RedisContextSink.Document(Domain.State.ContextState.Decode(stored), TimeSpan.FromHours(1)))];
        if (_documents.Count < Batch * 4)
        {
            throw new InvalidOperationException($"Expected at least {Batch * 4} contexts, got {_documents.Count}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// Redis: {_batches} batches of {Batch} documents, {(double)_roundTrips / Math.Max(1, _batches):0.00} round trips per batch");
        _connection.Dispose();
        _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(ProcessJourneys))]
    public void IterationSetupPipeline()
    {
        _driver = new TopologyTestDriver(ProductTopology.Build("c360", Topics, _settings, new PipelineMetrics(), NullLoggerFactory.Instance), PipelineHarnessPartitions);
        foreach (var (topic, key, value, time) in _setup)
        {
            _driver.PipeInput(topic, key, value, time);
        }

        _driver.Commit();
    }

    /// <summary>
    /// Journey events between two commits: 100 is a 100 ms commit interval at 1,000 events/s (about one event per
    /// customer per commit, so little to coalesce); 10,000 is a backlog caught up, five events per customer per commit.
    /// </summary>
    [Params(100, Events)]
    public int EventsPerCommit { get; set; }

    /// <summary>With the shipped trigger rules (topology/triggers.yaml), as <c>c360 run</c> has them, or contexts only.</summary>
    [Params(false, true)]
    public bool ShippedRules { get; set; }

    /// <summary>One operation = one journey event reduced into its customer's context.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public void ProcessJourneys()
    {
        var sinceCommit = 0;
        foreach (var (topic, key, value, time) in _journeys)
        {
            _driver.PipeInput(topic, key, value, time);
            if (++sinceCommit == EventsPerCommit)
            {
                _driver.Commit();
                sinceCommit = 0;
            }
        }

        _driver.Commit();
    }

    /// <summary>One operation = one context document written to Redis (every one newer than what Redis holds).</summary>
    [Benchmark(OperationsPerInvoke = Batch * 4)]
    public void WriteContextsToRedis()
    {
        _version += 1_000_000;
        for (var b = 0; b < 4; b++)
        {
            // Four disjoint slices of the documents, each a version above what Redis holds: every one is written.
            var batch = _documents.Skip(b * Batch).Take(Batch).Select(d => d with { Version = d.Version + _version }).ToList();
            var result = _writer.WriteAsync(batch).GetAwaiter().GetResult();
            _batches++;
            _roundTrips += result.RoundTrips;
        }
    }

    private const int PipelineHarnessPartitions = 6;
}
