using System.CommandLine;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.Extensions.Options;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 demo</c>: the whole stack on embedded infrastructure in one process (embedded Kafka, the processor host,
/// embedded Schema Registry, Redis given by address), a simulated population's journeys flowing for <c>--duration</c>
/// seconds, then a summary read back from Kafka and Redis.
/// </summary>
internal static class DemoCommand
{
    // The internal topics of topics.yaml are named for application id c360.
    private const string DemoApplicationId = "c360";

    /// <summary>
    /// The mock broker holds every fetch for the full wait, on each of a trigger's three hops: 3 ms against 10 took the
    /// event-to-trigger p50 from 49 to 32 ms at 1,000 events/s; the broker thread used 63 % of a core against 43 %.
    /// </summary>
    private const int DefaultFetchWaitMs = 3;

    public static Command Create()
    {
        var duration = new Option<int>("--duration")
        {
            Description = "Seconds of event flow before the summary.",
            DefaultValueFactory = _ => 60,
        };
        duration.Validators.Add(r => CommonOptions.RequireRange(r, "--duration", 1, 3600));
        var rate = new Option<int>("--rate")
        {
            Description = "Journey events per second to aim for (the population runs as many journeys at once as that needs, up to --customers).",
            DefaultValueFactory = _ => 50,
        };
        rate.Validators.Add(r => CommonOptions.RequireRange(r, "--rate", 1, 10_000));
        var customers = new Option<int>("--customers")
        {
            Description = "Size of the simulated population.",
            DefaultValueFactory = _ => 1_000,
        };
        customers.Validators.Add(r => CommonOptions.RequireRange(r, "--customers", 1, 100_000));
        var redis = new Option<string?>("--redis")
        {
            Description = "Redis connection string (default: C360__Redis__ConnectionString). ./scripts/demo.sh starts one.",
        };
        var plain = new Option<bool>("--plain")
        {
            Description = "A progress line every 5 s instead of the live view (the default when the output is not a terminal).",
        };
        var httpPort = new Option<int>("--http-port")
        {
            Description = "Port of the web pages on 127.0.0.1 (default 0: a free one; the URL is printed).",
            DefaultValueFactory = _ => 0,
        };
        httpPort.Validators.Add(r => CommonOptions.RequireRange(r, "--http-port", 0, 65535));
        var fetchWait = new Option<int>("--fetch-wait-ms")
        {
            Description = "Kafka:FetchWaitMaxMs of the processor and the demo's own consumers: the embedded broker holds each fetch this long, on every hop.",
            DefaultValueFactory = _ => DefaultFetchWaitMs,
        };
        fetchWait.Validators.Add(r => CommonOptions.RequireRange(r, "--fetch-wait-ms", 1, 1000));
        var exactlyOnce = new Option<bool>("--exactly-once")
        {
            Description = "Run the processor under exactly_once_v2. The embedded broker keeps no offsets committed in a transaction and shows a "
                + "transaction's records before it commits: the demo reads the processor's own committed offsets, and measures event-to-trigger to "
                + "the commit that made each trigger visible.",
        };
        var brokers = CommonOptions.Brokers();
        var keyedByCustomer = CommonOptions.KeyedByCustomer();
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("demo", "Run the embedded stack end to end and print what happened.")
        {
            duration, rate, customers, redis, plain, httpPort, fetchWait, exactlyOnce, brokers, keyedByCustomer, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var redisConnection = parse.GetValue(redis) ?? Environment.GetEnvironmentVariable("C360__Redis__ConnectionString");
            if (string.IsNullOrWhiteSpace(redisConnection))
            {
                await Console.Error.WriteLineAsync("--redis is required (or C360__Redis__ConnectionString); ./scripts/demo.sh starts a redis-server for you.");
                return ExitCodes.InvalidConfiguration;
            }

            if (await RedisProbe.ProblemAsync(redisConnection, "c360-demo") is (var redisProblem, var exitCode))
            {
                await Console.Error.WriteLineAsync(redisProblem);
                return exitCode;
            }

            var topology = parse.GetValue(topologyDir);
            if (!CommonOptions.TryLoadCatalog(topology, out var catalog) || !CommonOptions.CanKeyByCustomer(parse.GetValue(keyedByCustomer), catalog))
            {
                return ExitCodes.InvalidConfiguration;
            }

            var settings = new DemoSettings(
                parse.GetValue(duration), parse.GetValue(rate), parse.GetValue(customers), redisConnection, parse.GetValue(brokers), topology, parse.GetValue(plain),
                parse.GetValue(httpPort), parse.GetValue(fetchWait), parse.GetValue(keyedByCustomer), parse.GetValue(exactlyOnce));
            // The command is the composition root: the one place the system clock is chosen.
            return await RunAsync(settings, catalog, TimeProvider.System, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(DemoSettings settings, TopicCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var cluster = EmbeddedKafkaCluster.Start(settings.Brokers, catalog.Topics);
        Say($"embedded Kafka: {cluster.BrokerCount} brokers at {cluster.BootstrapServers}, {catalog.Topics.Count} topics");
        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0, cancellationToken: cancellationToken);
        var registryUrl = registry.Url.ToString().TrimEnd('/');
        Say($"embedded Schema Registry at {registryUrl}");

        // The demo's broker lives only as long as the demo: so does its local state (RocksDB and checkpoints).
        var stateDirectory = Directory.CreateTempSubdirectory("c360-demo-state-");
        using var removeState = new DeleteOnDispose(stateDirectory);
        var overrides = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Streams:StateDirectory"] = stateDirectory.FullName,
            ["Kafka:ApplicationId"] = DemoApplicationId,
            ["Kafka:FetchWaitMaxMs"] = settings.FetchWaitMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One stream thread: the embedded broker holds a rebalance until a member's session times out when
            // another member joins, which would add ~45 s to the start per extra thread.
            ["Streams:Threads"] = "1",
            // Each fetch of the embedded broker walks the partition's log from its oldest batch: the repartition topics
            // stay short if the processor deletes what it committed every second (the default is Kafka Streams' 30 s).
            ["Streams:RepartitionPurgeIntervalMs"] = "1000",
            // The embedded broker cannot enforce transactions; idempotence still makes state exact.
            ["Streams:ProcessingGuarantee"] = settings.ExactlyOnce ? "ExactlyOnceV2" : "AtLeastOnce",
            ["Redis:ConnectionString"] = settings.Redis,
            ["SchemaRegistry:Url"] = registryUrl,
            // The pages bind to loopback, where they need no key.
            ["Http:Host"] = "127.0.0.1",
            ["Http:Port"] = settings.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Topology:Directory"] = settings.TopologyDirectory,
            // The demo speaks through its view and summary; the processor's routine log would bury them.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The mock refuses an admin client's DeleteRecords; the processor, in this process, asks it directly.
        if (RunCommand.Build(() => ProcessorHost.Build(overrides, services => services.AddSingleton<Func<IRecordDeleter>>(() => new EmbeddedRecordDeleter(cluster))), Console.Error) is not { } app
            || !DemoCommitInterval.Accepts(app.Configuration, Console.Error))
        {
            return ExitCodes.InvalidConfiguration;
        }

        // Started before its services are asked for: a host that failed to start is disposed by then.
        if (await RunCommand.StartAsync(app, cancellationToken) is { } failed)
        {
            return failed;
        }

        var host = RunCommand.ServeAsync(app, cancellationToken);
        var processor = app.Services.GetRequiredService<StreamProcessorService>();
        var ready = await WaitUntilAsync(time, () => host.IsCompleted || processor.Processor?.Status.IsReady == true, TimeSpan.FromSeconds(30), cancellationToken);
        if (!ready || host.IsCompleted)
        {
            // A host that ended has said why on stderr already; one still starting is stopped.
            if (!host.IsCompleted)
            {
                Say("processor did not become ready within 30 s");
                await app.StopAsync(CancellationToken.None);
            }

            return await host is ExitCodes.Success ? ExitCodes.RuntimeFailure : await host;
        }

        var status = processor.Processor!.Status;
        var pages = PageEndpoints.Url(app);
        Say($"web pages: {pages} (the store floor: {pages}stores/{app.Services.GetRequiredService<StoreDirectory>().Stores[0].StoreId})");
        Say($"processor ready in {time.GetElapsedTime(started).TotalSeconds:0.0} s: group {DemoApplicationId}, {status.AssignedPartitions.Count} partitions assigned");

        // The demo's own clients (producer, trigger consumer, lag reads) wait on fetches as briefly as the processor: the
        // embedded broker holds a fetch for its full wait, which would add up to 100 ms to every trigger's latency.
        var kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, FetchWaitMaxMs = settings.FetchWaitMs };
        var topics = app.Services.GetRequiredService<ContextPipelineSetup>().Topics;
        var population = new Population(settings.Customers, seed: 7, app.Services.GetRequiredService<StoreDirectory>(), time.GetUtcNow().ToUnixTimeMilliseconds(), settings.Rate, topics, settings.KeyedByCustomer);
        using var registryClient = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registryUrl });
        var processorMeters = app.Services.GetRequiredService<IMeterFactory>();
        using var triggerReport = new DemoTriggerReport(time, processorMeters, settings.ExactlyOnce);
        var redis = app.Services.GetRequiredService<RedisConnectionService>().Connection!;
        var keys = new RedisKeys(app.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix);
        using var monitor = new DemoMonitor(processor, processorMeters, app.Services.GetRequiredService<LiveFeed>(), redis, keys, app.Services.GetRequiredService<StoreDirectory>(), topics, time);
        var timerRules = (app.Services.GetRequiredService<ContextPipelineSetup>().Rules?.Current.Rules ?? [])
            .Where(r => r.Absence is not null || r.Dwell is not null).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        triggerReport.FollowTriggers(kafka, registryClient, topics.Triggers, timerRules);
        var live = !settings.Plain && DemoView.CanRedraw;
        // In the live view the producer's messages become its status line; printed, they would tear the redraw.
        string? producerSays = null;
        Action<string> say = live ? line => producerSays = line : Say;
        var producer = new DemoProducer(kafka, registryClient, app.Services.GetRequiredService<SchemaCatalog>(), time, say, progressEvery: null);
        var inputs = topics.Channels.Concat(topics.CustomerKeyedChannels).Append(topics.Identity).Append(topics.Relationship).Append(topics.Responses).ToList();
        var repartitions = app.Services.GetRequiredService<StreamTopology>().RepartitionTopics.ToHashSet(StringComparer.Ordinal);
        var inputsAndRepartitions = inputs.Concat(repartitions).ToList();
        // One pair of clients for every look at the group's committed offsets: the waits below poll ten times a second.
        using var groupOffsets = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(kafka, DemoApplicationId, "c360-demo-offsets")).SetLogHandler(KafkaClientLog.Discard).Build();
        using var metadata = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, "c360-demo-metadata")).SetLogHandler(KafkaClientLog.Discard).Build();
        // A processor that stops mid-run ends the demo: its services (the Redis connection the view reads) go with it.
        using var stopProducing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producing = producer.RunAsync(population, TimeSpan.FromSeconds(settings.DurationSeconds), stopProducing.Token, async (phase, producedSoFar) =>
        {
            // Committed inputs and nothing left on the repartition topics: the history is in the contexts. Both are
            // read from the group's committed offsets, in one look: the processor's own lag is unknown (null) for a
            // partition it has not fetched lately, which let the live flow start while the context stage still had
            // thousands of history records to go, and the first live seconds measured that backlog.
            if (!await WaitUntilAsync(time, () => host.IsCompleted || TakenIn(producedSoFar), TimeSpan.FromSeconds(60), cancellationToken))
            {
                say("the processor had not caught up after 60 s; going on anyway");
            }

            if (phase == SimulationPhase.History)
            {
                // Latency is reported for the live flow: the history's triggers are minutes old by design.
                triggerReport.LiveFromMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            }
        });
        var processorStopped = await monitor.ShowUntilAsync(producing, host, () => app.Lifetime.ApplicationStopping.IsCancellationRequested, live, () => producerSays, Say, cancellationToken);
        if (processorStopped || cancellationToken.IsCancellationRequested)
        {
            await stopProducing.CancelAsync();
            try
            {
                await producing;
            }
            catch (Exception ex) when (ex is OperationCanceledException or KafkaException)
            {
                // Stopped with the processor, or its broker writes failed meanwhile: the processor's failure is the news.
            }

            // A signal (Ctrl-C, SIGTERM) stops the processor's host along with the demo: that stop is not a failure.
            if (cancellationToken.IsCancellationRequested)
            {
                return await InterruptedAsync();
            }

            Say($"the processor stopped after {time.GetElapsedTime(started).TotalSeconds:0.0} s with exit code {await host}; its log above says why");
            Say("  result: FAILED - the processor stopped before the demo ended");
            return ExitCodes.RuntimeFailure;
        }

        var produced = await producing;
        var caughtUp = await WaitUntilAsync(time, () => CommittedTotal() >= produced.Values.Sum(), DemoVerdict.CatchUpWait, cancellationToken);
        if (cancellationToken.IsCancellationRequested)
        {
            return await InterruptedAsync();
        }

        var lag = GroupLag(inputs);
        var sinks = processor.Sinks;
        var contexts = await monitor.Redis.CountContextsAsync();
        var presence = await monitor.Redis.ReadPresenceAsync();
        var sample = await monitor.Redis.ReadContextJsonAsync(population.Customers[0].CustomerId);
        var counts = new DemoTopicCounts(kafka, catalog, settings.ExactlyOnce);
        var deadLetters = counts.DeadLetters();
        var outputs = new[] { topics.Triggers, topics.StoreEvents, topics.Decisions }.ToDictionary(t => t, counts.Records, StringComparer.Ordinal);
        var (firedByRule, suppressedByReason) = DemoTriggerReport.Decisions(
            kafka, registryClient, topics.Decisions, catalog.Topics.First(t => t.Name == topics.Decisions).Partitions, cancellationToken);

        var offerAnswers = app.Services.GetRequiredService<PipelineMetrics>().Offers.Answers();
        var rules = app.Services.GetRequiredService<ContextPipelineSetup>().Rules?.Current;
        await app.StopAsync(CancellationToken.None);
        var exitCode = await host;

        var total = produced.Values.Sum();
        Say("summary");
        Say($"  events produced to {produced.Count} topics:  {total}");
        foreach (var (topic, count) in produced.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Say($"    {topic,-24} {count}");
        }

        Say($"  events consumed by the processor:    {CommittedTotalOf(lag)}"
            + (status.DeletedUnread > 0 ? $" (committed past {status.DeletedUnread} records the broker deleted before the processor read them)" : string.Empty));
        Say($"  consumer lag of group {DemoApplicationId}: {lag.Sum(p => p.Lag)} over {lag.Count} partitions"
            + (settings.ExactlyOnce ? " (from the processor's committed offsets: the embedded broker keeps none committed in a transaction)" : string.Empty));
        Say($"  contexts in Redis: {contexts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? DemoView.RedisUnknown} (customers simulated: {settings.Customers}); Redis batches {sinks.Sum(s => s.Batches)}, round trips {sinks.Sum(s => s.RoundTrips)}, documents written {sinks.Sum(s => s.Written)}");
        Say($"  customers present per store: {(presence is null ? DemoView.RedisUnknown : string.Join(", ", presence.Select(p => $"{p.Key}={p.Value}")))}");
        Say($"  triggers: {outputs[topics.Triggers]} to {topics.Triggers}, {outputs[topics.StoreEvents]} store events (presence and associate assists) to {topics.StoreEvents}, {outputs[topics.Decisions]} decisions (fired or suppressed) to {topics.Decisions}");
        Say($"  triggers by rule: {Counts(firedByRule)}");
        Say($"  suppressed by reason: {Counts(suppressedByReason)}");
        Say("  " + (triggerReport.LatencyLine() ?? "latency: no trigger fired on an event after the catch-up"));
        if (settings.ExactlyOnce && !settings.KeyedByCustomer)
        {
            Say("    a real broker also holds each repartition record until its transaction commits, which the embedded one does not: up to one Kafka:CommitIntervalMs more");
        }
        if (triggerReport.RecordAgeLine(ProductTopology.IdentityStage, ProductTopology.ContextStage) is { } ageLine)
        {
            Say("  " + ageLine);
        }

        if (triggerReport.CommitLine() is { } commitLine)
        {
            Say("  " + commitLine);
            if (triggerReport.CommitStepLine() is { } stepLine)
            {
                Say("    " + stepLine);
            }
        }

        if (triggerReport.ThreadTimeLine() is { } threadTimeLine)
        {
            Say("  " + threadTimeLine);
        }

        DemoOfferSummary.Say(offerAnswers, rules, settings.TopologyDirectory, DemoApplicationId);
        Say($"  dead letters: {deadLetters}" + (monitor.UnreadableDecisions > 0 ? $"; {monitor.UnreadableDecisions} output records the view could not read" : string.Empty));
        Say($"  web pages were served at {pages}");
        Say($"  commits: {status.Commits}, elapsed {time.GetElapsedTime(started).TotalSeconds:0.0} s, processor exit code {exitCode}");
        Say($"  sample context {population.Customers[0].CustomerId}: {(sample is null ? "(none)" : Abbreviate(sample, 400))}");
        var verdict = new DemoVerdict(caughtUp, CommittedTotalOf(lag), total, deadLetters, contexts, settings.Customers, exitCode, status.DeletedUnread);
        Say("  " + verdict.ResultLine());
        return verdict.Passed ? ExitCodes.Success : ExitCodes.RuntimeFailure;

        async Task<int> InterruptedAsync()
        {
            var stoppedWith = await host;
            Say($"interrupted after {time.GetElapsedTime(started).TotalSeconds:0.0} s; the processor stopped with the demo (exit code {stoppedWith}); no summary");
            return ExitCodes.RuntimeFailure;
        }

        long CommittedTotal() => CommittedTotalOf(GroupLag(inputs));

        bool TakenIn(long producedSoFar)
        {
            var lag = GroupLag(inputsAndRepartitions);
            return CommittedTotalOf(lag.Where(p => !repartitions.Contains(p.Partition.Topic))) >= producedSoFar
                && lag.Where(p => repartitions.Contains(p.Partition.Topic)).All(p => p.Lag == 0);
        }

        // Under exactly_once_v2 the embedded broker keeps none of the group's offsets: the processor says what it committed.
        IReadOnlyList<PartitionLag> GroupLag(IEnumerable<string> of) =>
            ConsumerGroupLag.Read(groupOffsets, metadata, of, TimeSpan.FromSeconds(5), settings.ExactlyOnce ? status.CommittedOffsets : null);
    }

    private static long CommittedTotalOf(IEnumerable<PartitionLag> lag) => lag.Sum(p => p.Committed ?? 0);

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    private static string Abbreviate(string text, int max) => text.Length <= max ? text : text[..max] + $"... ({text.Length} characters)";

    private static async Task<bool> WaitUntilAsync(TimeProvider time, Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waitStarted = time.GetTimestamp();
        while (!condition())
        {
            if (time.GetElapsedTime(waitStarted) > timeout || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, CancellationToken.None);
        }

        return true;
    }

    internal static void Say(string line) => Console.Out.WriteLine($"[demo] {line}");

    internal sealed record DemoSettings(
        int DurationSeconds, int Rate, int Customers, string Redis, int Brokers, string? TopologyDirectory, bool Plain, int HttpPort, int FetchWaitMs, bool KeyedByCustomer,
        bool ExactlyOnce);

    /// <summary>Removes a folder when disposed, after the processor that used it has stopped.</summary>
    private sealed class DeleteOnDispose(DirectoryInfo folder) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary folder left behind is cleaned by the system.
            }
        }
    }
}
