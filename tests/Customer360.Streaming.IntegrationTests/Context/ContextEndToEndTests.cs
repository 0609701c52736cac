using System.Collections.Immutable;
using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>
/// The whole context pipeline on the embedded broker and a real redis-server of the test's own: a few hundred
/// customers' journeys from every channel end in Redis exactly as replaying the same events through the reducers
/// alone says, even when Redis restarts empty mid-run; duplicates, a restart and a rebuild change nothing, and a
/// rebuild repairs a damaged Redis, reporting what differed.
/// </summary>
public sealed class ContextEndToEndTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    private const int Customers = 300;
    private const int JourneyEvents = 3_000;

    // The population starts with twenty minutes of journeys in progress, produced at once. A customer's web and app
    // events reach the context through different identity partitions, which catch up at different speeds on a busy
    // machine; with the default ten-minute grace a few were judged late (5 of 3,000 under load) and the reference,
    // which applies everything, disagreed. This test is about convergence, so its grace covers the whole input;
    // lateness has tests of its own.
    private static readonly ContextSettings Contexts = new() { Grace = TimeSpan.FromDays(1) };
    private const long T0 = 1_790_000_000_000;

    [Fact]
    public async Task Journeys_EndInRedisAsTheReducersSay_ThroughARedisRestart_AndDuplicatesRestartAndRebuildChangeNothing_AndRebuildRepairs()
    {
        var program = RedisServerProgram();
        var names = new UniqueNames(nameof(ContextEndToEndTests));
        var applicationId = names.Group("ctx");
        var (_, catalog) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);
        var port = FreePort.Next();
        var redisArguments = RedisArguments(port);
        var redisServer = ChildProcess.Start(program, redisArguments, workingDirectory: Path.GetTempPath());
        try
        {
            Assert.True(await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10)));
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=500,syncTimeout=2000,asyncTimeout=2000");
            var keys = new RedisKeys("e2e");
            var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));
            var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
            using var registryClient = registry.CreateClient();
            var topics = ProductTopicNames.FromCatalog(catalog);
            var settings = ReplayableSetup(stores, registryClient, contracts, catalog, topics);
            using var metrics = new PipelineMetrics();
            var topology = ProductTopology.Build(applicationId, catalog, settings, metrics, NullLoggerFactory.Instance);
            var options = kafka.Options(applicationId);
            options.FetchWaitMaxMs = 10;
            // Low, so the Redis outage below outlasts it: a poll loop blocked on Redis would leave the group.
            options.Properties["session.timeout.ms"] = "6000";
            options.Properties["max.poll.interval.ms"] = "7000";
            using var streamsMetrics = new StreamsMetrics();
            using var rebalances = new CounterRecorder(streamsMetrics.Meter);
            var population = new Population(Customers, seed: 11, stores, T0, topics: topics);
            var setup = population.Setup().ToList();
            var journeys = population.Events(JourneyEvents).ToList();
            var expected = Reference(setup, journeys, stores);

            using var producer = new SimulatedRecordProducer(options, registryClient, contracts, "e2e-producer");
            await using (var run = PipelineRun.Start(options, topology, connection, keys, metrics, streamsMetrics))
            {
                await producer.ProduceAllAsync(setup, TestContext.Current.CancellationToken);
                // Links and profiles first, so every journey event finds its customer (anonymous merging has its own tests).
                Assert.True(
                    await Eventually(async () => await CountAsync(connection, keys, population, (c, v) => v >= 3) == Customers, TimeSpan.FromSeconds(90)),
                    "the setup did not reach Redis");

                await producer.ProduceAllAsync(journeys.Take(JourneyEvents / 2), TestContext.Current.CancellationToken);
                var rebalancesBefore = rebalances.Total("c360.rebalances");
                redisServer.KillNow();
                await redisServer.WaitForExitAsync(TimeSpan.FromSeconds(10));
                await producer.ProduceAllAsync(journeys.Skip(JourneyEvents / 2), TestContext.Current.CancellationToken);
                // Processing holds while Redis is away, polling goes on, and readiness says why.
                Assert.True(await Eventually(() => Task.FromResult(run.Worker.Status.HeldBy is not null), TimeSpan.FromSeconds(30)), "processing never held for Redis");
                await Task.Delay(9_000, TestContext.Current.CancellationToken);
                Assert.Contains("Redis", run.Worker.Status.HeldBy, StringComparison.Ordinal);
                Assert.False(run.Worker.Status.IsReady);
                Assert.Equal(WorkerPhase.Running, run.Worker.Status.Phase);
                Assert.Equal(rebalancesBefore, rebalances.Total("c360.rebalances"));
                redisServer.Dispose();
                // Restarted without persistence: empty. Only a resync of every owned context can make it converge.
                redisServer = ChildProcess.Start(program, redisArguments, workingDirectory: Path.GetTempPath());

                var converged = await Eventually(async () => await MatchingAsync(connection, keys, expected) == Customers, TimeSpan.FromSeconds(120));
                Assert.True(converged, $"{await MatchingAsync(connection, keys, expected)} of {Customers} contexts match the reference");
                // The resync writes the customers' contexts, then the anonymous ones, and counts itself only then: Redis
                // may already match while its last batch is on the way.
                Assert.True(
                    await Eventually(() => Task.FromResult(run.Sink.Resyncs >= 1 && run.Worker.Status.HeldBy is null), TimeSpan.FromSeconds(30)),
                    $"Redis came back empty and matches, yet {run.Sink.Resyncs} resyncs finished and processing is held by: {run.Worker.Status.HeldBy ?? "nothing"}");
                Assert.Equal(rebalancesBefore, rebalances.Total("c360.rebalances"));
                await AssertPresenceAsync(connection, keys, stores, expected);

                // Duplicates from the producer (the same events again, at new offsets) are recognised by event id.
                await producer.ProduceAllAsync(journeys.Take(300), TestContext.Current.CancellationToken);
                await WaitForNoLagAsync(options, applicationId, topics);
                Assert.Equal(Customers, await MatchingAsync(connection, keys, expected));
            }

            // A new worker restores from the changelogs and re-asserts what it restored: nothing goes backwards.
            await using (var restarted = PipelineRun.Start(options, topology, connection, keys, metrics))
            {
                Assert.True(await Eventually(() => Task.FromResult(restarted.Worker.Status.IsReady), TimeSpan.FromSeconds(90)));
                Assert.Equal(Customers, await MatchingAsync(connection, keys, expected));
            }

            var report = await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: true, progress: null, TestContext.Current.CancellationToken);
            Assert.Equal(new RebuildReport(Customers, Customers, 0, 0, 0), report);

            // Damage Redis: lose 5 contexts, overwrite 3 with a higher version of something else and 1 with a value of
            // another type, add 2 strangers and a third of another type.
            var database = connection.GetDatabase();
            var ids = expected.Keys.Order(StringComparer.Ordinal).ToList();
            foreach (var id in ids.Take(5))
            {
                await database.KeyDeleteAsync(keys.Context(id));
            }

            foreach (var id in ids.Skip(5).Take(3))
            {
                await database.HashSetAsync(keys.Context(id), [new("v", 1_000_000), new("json", "{}")]);
            }

            await database.StringSetAsync(keys.Context(ids[8]), "written by another program");
            await new RedisContextWriter(connection, keys).WriteAsync([new ContextDocument("stranger-1", 1, "{}"u8.ToArray()), new ContextDocument("stranger-2", 1, "{}"u8.ToArray())]);
            await database.ListRightPushAsync(keys.Context("stranger-3"), "written by another program");
            var repaired = await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: false, progress: null, TestContext.Current.CancellationToken);

            // The key holding a string is there, with something that is not a context: different, not missing.
            Assert.Equal(new RebuildReport(Customers, Customers - 9, 4, 5, 3), repaired);
            Assert.Equal(Customers, await MatchingAsync(connection, keys, expected));
            Assert.False(await database.KeyExistsAsync(keys.Context("stranger-1")));
            Assert.False(await database.KeyExistsAsync(keys.Context("stranger-3")));
            Assert.Equal(new RebuildReport(Customers, Customers, 0, 0, 0), await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: true, progress: null, TestContext.Current.CancellationToken));

            // Erasure: a relationship tombstone removes the customer's Redis keys and presence, and Kafka agrees.
            var erased = expected.Values.First(c => c.InStore.StoreId is not null);
            await using (var erasing = PipelineRun.Start(options, topology, connection, keys, metrics))
            {
                using (var tombstones = new ProducerBuilder<string, byte[]?>(KafkaClientConfigs.Producer(options, "e2e-erase")).Build())
                {
                    await tombstones.ProduceAsync(topics.Relationship, new Message<string, byte[]?> { Key = erased.ContextId, Value = null }, TestContext.Current.CancellationToken);
                }

                Assert.True(
                    await Eventually(async () => !await database.KeyExistsAsync(keys.Context(erased.ContextId)), TimeSpan.FromSeconds(60)),
                    "the erased customer's context is still in Redis");
                // The presence entry goes in the same batch, one round trip after the context key: wait for the batch.
                var writer = new RedisContextWriter(connection, keys);
                Assert.True(
                    await Eventually(async () => !(await writer.ReadPresenceAsync(erased.InStore.StoreId!)).ContainsKey(erased.ContextId), TimeSpan.FromSeconds(10)),
                    "the erased customer is still present in the store");
            }

            Assert.Equal(
                new RebuildReport(Customers - 1, Customers - 1, 0, 0, 0),
                await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: true, progress: null, TestContext.Current.CancellationToken));
        }
        finally
        {
            redisServer.Dispose();
        }
    }

    [Fact]
    public async Task Journeys_keyed_by_customer_at_the_source_end_in_Redis_as_the_reducers_say_and_only_links_take_the_repartition_hop()
    {
        var program = RedisServerProgram();
        var names = new UniqueNames(nameof(Journeys_keyed_by_customer_at_the_source_end_in_Redis_as_the_reducers_say_and_only_links_take_the_repartition_hop));
        var applicationId = names.Group("keyed");
        var (_, catalog) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);
        var port = FreePort.Next();
        using var redisServer = ChildProcess.Start(program, RedisArguments(port), workingDirectory: Path.GetTempPath());
        Assert.True(await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10)));
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false");
        var keys = new RedisKeys("keyed");
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        using var registryClient = registry.CreateClient();
        var topics = ProductTopicNames.FromCatalog(catalog);
        using var metrics = new PipelineMetrics();
        var topology = ProductTopology.Build(
            applicationId, catalog, ReplayableSetup(stores, registryClient, contracts, catalog, topics),
            metrics, NullLoggerFactory.Instance);
        var options = kafka.Options(applicationId);
        options.FetchWaitMaxMs = 10;
        var population = new Population(Customers, seed: 13, stores, T0, topics: topics, keyedByCustomer: true);
        var setup = population.Setup().ToList();
        var journeys = population.Events(JourneyEvents).ToList();
        Assert.All(journeys, r => Assert.Contains(r.Topic, topics.CustomerKeyedChannels));
        var expected = Reference(setup, journeys, stores);

        using var producer = new SimulatedRecordProducer(options, registryClient, contracts, "keyed-producer");
        await using (var run = PipelineRun.Start(options, topology, connection, keys, metrics))
        {
            await producer.ProduceAllAsync(setup.Concat(journeys), TestContext.Current.CancellationToken);

            var converged = await Eventually(async () => await MatchingAsync(connection, keys, expected) == Customers, TimeSpan.FromSeconds(120));
            Assert.True(converged, $"{await MatchingAsync(connection, keys, expected)} of {Customers} contexts match the reference");
            await AssertPresenceAsync(connection, keys, stores, expected);
        }

        // The setup's web and device links are all that went through identity stitching.
        var hopped = ConsumerGroupLag.Read(options, applicationId, [topology.RepartitionTopics[0]], TimeSpan.FromSeconds(10)).Sum(p => p.HighWatermark);
        Assert.Equal(2 * Customers, hopped);
    }

    private static string RedisServerProgram()
    {
        var program = ExternalTools.Find("redis-server");
        if (program is null)
        {
            Assert.Skip(ExternalTools.InstallHint("redis-server"));
        }

        return program;
    }

    /// <summary>A redis-server of the test's own: loopback only, nothing persisted, so a restart comes back empty.</summary>
    private static string[] RedisArguments(int port) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];

    /// <summary>What the reducers alone make of the same records: the setup (links, profiles, older history), then each journey event.</summary>
    private static Dictionary<string, CustomerContext> Reference(IEnumerable<SimulatedRecord> setup, IEnumerable<SimulatedRecord> journeys, StoreDirectory stores)
    {
        var reducer = new ContextReducer(Contexts, stores);
        var contexts = new Dictionary<string, CustomerContext>(StringComparer.Ordinal);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in setup)
        {
            switch (record.Event)
            {
                case IdentityLink link:
                    owner[link.Identifier] = link.CustomerId;
                    var linked = Get(link.CustomerId).WithIdentifier(link.Identifier);
                    contexts[link.CustomerId] = linked with { Version = linked.Version + 1 };
                    break;
                case RelationshipProfile profile:
                    contexts[profile.CustomerId] = reducer.Apply(Get(profile.CustomerId), profile).Context;
                    break;
                default:
                    // Channel history from before the journeys (the last app open of lapsed app users).
                    contexts[CustomerOf(record)] = reducer.Apply(contexts[CustomerOf(record)], record.Event).Context;
                    break;
            }
        }

        foreach (var record in journeys)
        {
            var customer = CustomerOf(record);
            contexts[customer] = reducer.Apply(contexts[customer], record.Event).Context;
        }

        return contexts;

        CustomerContext Get(string id) => contexts.TryGetValue(id, out var context) ? context : CustomerContext.Empty(id);

        // Keyed by its identifier, or by its customer when its source knew who that is.
        string CustomerOf(SimulatedRecord record) => owner.TryGetValue(record.Key, out var customer) ? customer : record.Key;
    }

    private static CustomerContext WithoutInputPositions(CustomerContext context) => context with
    {
        Provenance = context.Provenance.ToImmutableSortedDictionary(p => p.Key, p => p.Value with { Partition = -1, Offset = -1 }, StringComparer.Ordinal),
    };

    /// <summary>
    /// The pipeline as the reference replays it, by event time alone. The journeys are dated months before the clock, so
    /// while a partition idled, the presence timers (<see cref="ContextSettings.StoreVisitTimeout"/>) lapsed by the wall
    /// clock every visit the journeys left open: 124 of 300 contexts differed from the reference once the test had idled
    /// for two timer intervals, which a slow run did between its last two checks.
    /// </summary>
    private static ContextPipelineSetup ReplayableSetup(
        StoreDirectory stores, ISchemaRegistryClient registryClient, SchemaCatalog contracts, TopicCatalog catalog, ProductTopicNames topics) =>
        new(Contexts, new IdentitySettings(), stores, new EventCodec(registryClient, new AvroSerdeOptions(), contracts, catalog), topics) { WallClockTimers = false };

    private static async Task<int> MatchingAsync(IConnectionMultiplexer connection, RedisKeys keys, Dictionary<string, CustomerContext> expected)
    {
        try
        {
            var writer = new RedisContextWriter(connection, keys);
            var reads = expected.ToDictionary(e => e.Key, e => writer.ReadJsonAsync(e.Key));
            var matching = 0;
            foreach (var (id, read) in reads)
            {
                // The reference cannot know where each input landed in its topic; the pipeline must have recorded it.
                matching += await read is { } json && ContextJson.Deserialize(json) is var stored
                    && stored.Provenance.Values.All(p => p.Partition >= 0 && p.Offset >= 0)
                    && ContextJson.Serialize(WithoutInputPositions(stored)) == ContextJson.Serialize(expected[id]) ? 1 : 0;
            }

            return matching;
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            return -1;
        }
    }

    private static async Task<int> CountAsync(IConnectionMultiplexer connection, RedisKeys keys, Population population, Func<string, long, bool> predicate)
    {
        var writer = new RedisContextWriter(connection, keys);
        var count = 0;
        foreach (var customer in population.Customers)
        {
            count += await writer.ReadVersionAsync(customer.CustomerId) is { } version && predicate(customer.CustomerId, version) ? 1 : 0;
        }

        return count;
    }

    private static async Task AssertPresenceAsync(IConnectionMultiplexer connection, RedisKeys keys, StoreDirectory stores, Dictionary<string, CustomerContext> expected)
    {
        var writer = new RedisContextWriter(connection, keys);
        var anyone = 0;
        foreach (var store in stores.Stores)
        {
            var present = (await writer.ReadPresenceAsync(store.StoreId)).Keys.Order(StringComparer.Ordinal).ToList();
            var inStore = expected.Values.Where(c => c.InStore.StoreId == store.StoreId).Select(c => c.ContextId).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(inStore, present);
            anyone += present.Count;
        }

        Assert.True(anyone > 0, "the journeys should leave someone inside a store");
    }

    private static async Task WaitForNoLagAsync(KafkaOptions options, string applicationId, ProductTopicNames topics)
    {
        var inputs = topics.Channels.Concat(topics.CustomerKeyedChannels).Append(topics.Identity).Append(topics.Relationship).ToList();
        Assert.True(
            await Eventually(() => Task.FromResult(ConsumerGroupLag.Read(options, applicationId, inputs, TimeSpan.FromSeconds(10)).Sum(p => p.Lag) == 0), TimeSpan.FromSeconds(60)),
            "the processor did not catch up");
        // Commits run every 100 ms; give the last one (and its Redis batch) time to land.
        await Task.Delay(1_000, TestContext.Current.CancellationToken);
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        return await condition();
    }

    /// <summary>A worker with the Redis sink, running until disposed.</summary>
    private sealed class PipelineRun(StreamWorker worker, RedisContextSink sink, CancellationTokenSource stop) : IAsyncDisposable
    {
        private Task _running = Task.CompletedTask;

        public StreamWorker Worker { get; } = worker;

        public RedisContextSink Sink { get; } = sink;

        public static PipelineRun Start(KafkaOptions options, StreamTopology topology, ConnectionMultiplexer connection, RedisKeys keys, PipelineMetrics metrics, StreamsMetrics? streamsMetrics = null)
        {
            var stop = new CancellationTokenSource();
            var sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), TimeProvider.System, metrics, NullLogger.Instance);
            connection.ConnectionRestored += (_, _) => sink.Reconnected();
            var worker = new StreamWorker(
                options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topology, TimeProvider.System,
                NullLogger<StreamWorker>.Instance, $"{options.ApplicationId}-{Guid.NewGuid():N}", streamsMetrics, observers: [sink]);
            var run = new PipelineRun(worker, sink, stop);
            run._running = worker.RunAsync(stop.Token);
            return run;
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await _running.WaitAsync(TimeSpan.FromSeconds(60));
            stop.Dispose();
        }
    }
}
