using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.IntegrationTests.Edges;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Testing;
using StackExchange.Redis;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>
/// An embedded cluster of the test's own (so it can be filled past its retention without touching other tests), the
/// product's topics on it, and <c>c360 run</c> as a separate process with a state folder, Redis and an HTTP port that
/// stay the same across restarts. Also what the tests read back: Redis contexts, checkpoints, metrics and lag.
/// </summary>
internal sealed partial class ProcessorOnItsOwnCluster : IAsyncDisposable
{
    private readonly EmbeddedKafkaCluster _cluster;
    private readonly Dictionary<string, string?> _environment;
    private readonly SchemaRegistryClient _registryClient;
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisContextWriter _contexts;
    private readonly HttpClient _http;
    private readonly TopicCatalog _catalog;

    private ProcessorOnItsOwnCluster(
        EmbeddedKafkaCluster cluster, TopicCatalog catalog, string topologyDirectory, int partitions, KafkaOptions options,
        string stateDirectory, Dictionary<string, string?> environment, SchemaRegistryClient registryClient,
        ConnectionMultiplexer redis, string redisPrefix, int port)
    {
        _cluster = cluster;
        _catalog = catalog;
        TopologyDirectory = topologyDirectory;
        Partitions = partitions;
        Options = options;
        StateDirectory = stateDirectory;
        _environment = environment;
        _registryClient = registryClient;
        _redis = redis;
        RedisPrefix = redisPrefix;
        _contexts = new RedisContextWriter(redis, new RedisKeys(redisPrefix));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
        Topics = ProductTopicNames.FromCatalog(catalog);
        ContextsChangelog = $"{options.ApplicationId}-{ProductTopics.ContextsStore}-changelog";
        Input = new InputWriter(options, registryClient, Topics, catalog);
    }

    public string TopologyDirectory { get; }

    public int Partitions { get; }

    public KafkaOptions Options { get; }

    public string StateDirectory { get; }

    /// <summary>The prefix of the processor's keys in Redis.</summary>
    public string RedisPrefix { get; }

    public ProductTopicNames Topics { get; }

    public string ContextsChangelog { get; }

    public InputWriter Input { get; }

    /// <summary>The product's topics, every one with <paramref name="partitions"/> partitions, on a new embedded cluster.</summary>
    /// <param name="withRules">Whether the processor runs the shipped rules (triggers.yaml), or keeps contexts only.</param>
    /// <param name="redisPrefix">The Redis key prefix of an earlier run to write over; by default one of its own.</param>
    public static async Task<ProcessorOnItsOwnCluster> StartAsync(
        string testName, int partitions, RedisServerFixture redis, SchemaRegistryFixture registry, bool withRules = false, string? redisPrefix = null)
    {
        var names = new UniqueNames(testName);
        var applicationId = names.Group("app");
        var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var topologyDirectory = C360Program.WritePrefixedTopology(names, applicationId, withRules);
        var topicsFile = Path.Combine(topologyDirectory, "topics.yaml");
        File.WriteAllText(topicsFile, PartitionCount().Replace(File.ReadAllText(topicsFile), "${1}" + partitions.ToString(CultureInfo.InvariantCulture)));
        var catalog = TopicCatalog.Load(topicsFile);
        foreach (var topic in catalog.Topics)
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }

        var stateDirectory = Directory.CreateTempSubdirectory("c360-state-").FullName;
        redisPrefix ??= "state-" + Guid.NewGuid().ToString("N")[..12];
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = cluster.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = applicationId,
            ["C360__Kafka__FetchWaitMaxMs"] = "10",
            // A killed member holds its partitions until its session times out (45 s by default).
            ["C360__Kafka__Properties__session.timeout.ms"] = "6000",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            ["C360__Streams__StateDirectory"] = stateDirectory,
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__Redis__KeyPrefix"] = redisPrefix,
            ["C360__SchemaRegistry__Url"] = registry.UrlText,
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = topologyDirectory,
        };
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = applicationId, FetchWaitMaxMs = 10 };
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        return new ProcessorOnItsOwnCluster(
            cluster, catalog, topologyDirectory, partitions, options, stateDirectory, environment, registry.CreateClient(),
            connection, redisPrefix, port);
    }

    /// <summary>Where the processor serves its endpoints and pages (on loopback unless the environment says otherwise).</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    public RedisContextWriter Redis => _contexts;

    /// <param name="environment">Settings on top of the cluster's, e.g. <c>C360__Http__ApiKey</c>.</param>
    public ChildProcess StartProcessor(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var merged = new Dictionary<string, string?>(_environment, StringComparer.Ordinal);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            merged[name] = value;
        }

        return C360Program.Start(["run"], merged);
    }

    public Task<bool> WaitForReadyAsync(ChildProcess processor) => C360Program.WaitForReadyAsync(_http, processor);

    /// <summary>The contexts of <paramref name="customers"/> in Redis that satisfy <paramref name="done"/>, once all do or after <paramref name="timeout"/>.</summary>
    public async Task<Dictionary<string, CustomerContext>> WaitForContextsAsync(IReadOnlyCollection<string> customers, Func<CustomerContext, bool> done, TimeSpan timeout)
    {
        var found = new Dictionary<string, CustomerContext>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + timeout;
        while (found.Count < customers.Count && DateTime.UtcNow < deadline)
        {
            foreach (var customer in customers.Where(c => !found.ContainsKey(c)))
            {
                if (await _contexts.ReadJsonAsync(customer) is { } json && ContextJson.Deserialize(json) is var context && done(context))
                {
                    found[customer] = context;
                }
            }

            await Task.Delay(found.Count < customers.Count ? 200 : 0, TestContext.Current.CancellationToken);
        }

        return found;
    }

    /// <summary>Until the group has committed every source partition to its end, or <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForNoLagAsync(TimeSpan timeout)
    {
        var sources = _catalog.Topics
            .Where(t => t.Role is TopicRole.Input or TopicRole.Table || t.Name.EndsWith("-repartition", StringComparison.Ordinal))
            .Select(t => t.Name).ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ConsumerGroupLag.Read(Options, Options.ApplicationId, sources, TimeSpan.FromSeconds(10)).All(p => p.Lag == 0))
            {
                return true;
            }

            await Task.Delay(1_000, TestContext.Current.CancellationToken);
        }

        return false;
    }

    public IReadOnlyList<WatermarkOffsets> ChangelogWatermarks()
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(Options, "watermarks", "watermarks")).Build();
        return [.. Enumerable.Range(0, Partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(ContextsChangelog, p), TimeSpan.FromSeconds(10)))];
    }

    /// <summary>The checkpointed contexts changelog offset of each task that has one.</summary>
    public List<long> ContextCheckpoints() =>
        [.. Directory.EnumerateDirectories(StateDirectory)
            .Select(task => Path.GetFileName(task).Split('_'))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out _))
            .Select(parts => new TaskStateDirectory(StateDirectory, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)).ReadCheckpoint())
            .Where(checkpoint => checkpoint?.ContainsKey(ProductTopics.ContextsStore) == true)
            .Select(checkpoint => checkpoint![ProductTopics.ContextsStore])];

    /// <summary>Contexts changelog records the running processor replayed into its stores since it started, from its metrics.</summary>
    public async Task<long> RestoredContextRecordsAsync()
    {
        var metrics = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        return RestoredContexts().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        Input.Dispose();
        _http.Dispose();
        await _redis.DisposeAsync();
        _registryClient.Dispose();
        _cluster.Dispose();
        Directory.Delete(StateDirectory, recursive: true);
        Directory.Delete(TopologyDirectory, recursive: true);
    }

    [GeneratedRegex(@"(?m)^(\s*partitions: )\d+$")]
    private static partial Regex PartitionCount();

    [GeneratedRegex(@"c360_restore_records_total\{[^}]*store=""contexts""[^}]*\} (\d+)")]
    private static partial Regex RestoredContexts();
}
