using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// <c>./scripts/bench.sh --filter '*EndToEnd*'</c>: the whole processor against a raw consume→produce of the same
/// records. A backlog of the simulator's population (profiles and links first, then ≥ 200,000 journey events over
/// every channel) is written to a fresh embedded cluster; <c>c360 run</c> (the shipped rules, at_least_once, a
/// redis-server) drains it, with 1 stream thread and with one per core, and then once more with 1 thread from a
/// backlog whose channel events are keyed by customer at the source (<c>Population</c>'s <c>keyedByCustomer</c>): they
/// skip identity stitching and the repartition hop. One drain is one measurement, which BenchmarkDotNet's repetitions
/// do not fit, so this runs on its own and prints its lines.
/// <para>
/// The processor's rate counts the records it worked off from the first poll that saw an input committed until every
/// input is committed, the repartition topics have no lag and every customer's context is in Redis. (It once started
/// at readiness, all threads in the group: with two threads one of them was processing for seconds before that, and
/// its uncommitted work was credited to the drain.) With one thread, at most a commit interval and a poll's 250 ms of
/// work precede the start; two threads can have worked longer, their commits deferred while the group rebalances.
/// A drain that loses a record, dead-letters one or misses a context fails loudly (exit 1) instead of reporting a
/// rate, and so does a one-thread drain that differs from an in-memory replay of the same backlog
/// (<see cref="ReferenceReplay"/>); with more threads the difference is reported with the rate. Beside the rate it
/// reports the processor's CPU per input and its minor page faults over the same span (<see cref="ProcessUsage"/>),
/// which move less than the rate on a shared machine, and from the processor's own metrics where its stream threads'
/// time went and what the runtime's collections and JIT took (<see cref="ProcessorScrape"/>).
/// </para>
/// </summary>
internal static class EndToEnd
{
    private const int DefaultCustomers = 5_000;
    private const int JourneyEvents = 200_000;
    private const string ApplicationId = "c360";

    public static bool Requested(string[] args) => args.Any(a => a.Contains("EndToEnd", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>--threads N</c> drains with N stream threads only (to profile one drain), <c>--keyed-by-customer</c> only a
    /// backlog keyed by customer; by default 1 thread and one per core, then 1 thread keyed by customer.
    /// <c>--set Section:Key=value</c> (repeatable) gives every drain's processor a setting, to measure a knob.
    /// <c>--customers N</c> simulates N customers instead of 5,000, to see what the size of the population costs.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var drains = Drains(args);
        var settings = Settings(args);
        var customers = CustomerCount(args);
        var catalog = TopicCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "topics.yaml"));
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        if (!redis.IsAvailable)
        {
            Console.Error.WriteLine("end-to-end: " + redis.SkipReason);
            return 1;
        }

        await using var registry = await EmbeddedSchemaRegistry.StartAsync(port: 0);
        var lines = new List<string>();
        try
        {
            foreach (var (threads, keyedByCustomer) in drains)
            {
                var line = await MeasureAsync(threads, keyedByCustomer, customers, settings, catalog, contracts, stores, registry, redis);
                Console.WriteLine(line);
                lines.Add(line);
            }
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("end-to-end: FAILED - " + ex.Message);
            return 1;
        }
        finally
        {
            await redis.DisposeAsync();
        }

        await MeasuredLines.WriteAsync(
            "EndToEnd",
            "End to end: the processor against a raw consume→produce of the same backlog",
            $"{Environment.ProcessorCount} cores, the embedded broker, {customers:N0} simulated customers, {JourneyEvents:N0} journey events after their profiles and links; one drain per line (`./scripts/bench.sh --filter '*EndToEnd*'`).",
            lines);
        return 0;
    }

    private static (int Threads, bool KeyedByCustomer)[] Drains(string[] args)
    {
        var keyed = args.Contains("--keyed-by-customer", StringComparer.Ordinal);
        var at = Array.IndexOf(args, "--threads");
        if (at < 0)
        {
            return keyed ? [(1, true)] : [.. new[] { 1, Environment.ProcessorCount }.Distinct().Select(t => (t, false)), (1, true)];
        }

        return at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads is >= 1 and <= 64
            ? [(threads, keyed)]
            : throw new ArgumentException("--threads takes a number of stream threads from 1 to 64");
    }

    private static int CustomerCount(string[] args)
    {
        var at = Array.IndexOf(args, "--customers");
        if (at < 0)
        {
            return DefaultCustomers;
        }

        // The range of c360 demo and simulate: the simulator's customer ids have five digits.
        return at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var customers) && customers is >= 1 and <= 100_000
            ? customers
            : throw new ArgumentException("--customers takes a population size from 1 to 100000");
    }

    /// <summary>The processor settings given with <c>--set Section:Key=value</c>, in the order given.</summary>
    private static List<KeyValuePair<string, string>> Settings(string[] args)
    {
        var settings = new List<KeyValuePair<string, string>>();
        for (var at = Array.IndexOf(args, "--set"); at >= 0; at = Array.IndexOf(args, "--set", at + 1))
        {
            var setting = at + 1 < args.Length ? args[at + 1] : string.Empty;
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            settings.Add(equals > 0 && equals < setting.Length - 1 && setting[..equals].Contains(':', StringComparison.Ordinal)
                ? new(setting[..equals], setting[(equals + 1)..])
                : throw new ArgumentException($"--set takes a processor setting as Section:Key=value, such as Kafka:CommitIntervalMs=1000 (was '{setting}')"));
        }

        return settings;
    }

    private static async Task<string> MeasureAsync(int threads, bool keyedByCustomer, int customers, IReadOnlyList<KeyValuePair<string, string>> settings, TopicCatalog catalog, SchemaCatalog contracts, Domain.Geo.StoreDirectory stores, EmbeddedSchemaRegistry registry, RedisServerFixture redis)
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1, catalog.Topics);
        var kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = ApplicationId, FetchWaitMaxMs = 10 };
        var topics = ProductTopicNames.FromCatalog(catalog);
        var inputs = catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table).Select(t => t.Name).ToList();
        var total = await ProduceBacklogAsync(kafka, registry, contracts, stores, topics, keyedByCustomer, customers);
        var drain = $"threads {threads}" + (keyedByCustomer ? "; channel events keyed by customer at the source" : string.Empty)
            + (customers == DefaultCustomers ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; {customers:N0} customers"))
            + string.Concat(settings.Select(s => $"; {s.Key}={s.Value}"));
        Console.WriteLine($"end-to-end: backlog of {total:N0} records on {inputs.Count} topics; {drain}");

        var rawPerSecond = RawPassthroughRate(kafka, cluster, inputs, total);
        // Keyed by customer, events take one hop, as the raw passthrough does: the two-hop ceiling is not theirs.
        double? twoHopsPerSecond = keyedByCustomer ? null : RawTwoHopsRate(kafka, cluster, inputs, total);
        // A prefix per drain: the drains share one redis-server, and its compare-and-set on the version keeps whatever an
        // earlier drain of the same customers wrote at an equal or higher version.
        var keys = new RedisKeys($"e2e{threads}" + (keyedByCustomer ? "k" : string.Empty));
        var (processorPerSecond, observed) = await ProcessorAsync(kafka, threads, customers, settings, catalog, registry, redis, keys, inputs, total);
        string agreement;
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            var differences = await ReferenceReplay.DifferencesAsync(kafka, catalog, contracts, stores, registry.Url.ToString().TrimEnd('/'), connection, keys);
            // One thread takes every task's records in timestamp order, so its drain must equal the replay. Threads
            // take theirs in the order they arrive, and a customer's events from identity tasks on two threads meet
            // as far apart as the threads' progress: that divergence is measured and shown, not a failure.
            Check(threads > 1 || differences.Count == 0, "the drain differs from the in-memory replay of the same backlog: " + string.Join("; ", differences));
            // What differs on one line; which decisions differ (the reason why) on the next.
            var isDecisions = differences.ToLookup(d => d.StartsWith("decisions", StringComparison.Ordinal));
            agreement = differences.Count == 0
                ? "equal to an in-memory replay"
                : "differs from an in-memory replay (arrival order across threads): "
                    + string.Join(Environment.NewLine + "    ", [string.Join("; ", isDecisions[false]), .. isDecisions[true]]);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"end-to-end: {processorPerSecond:0} events/s = {processorPerSecond / rawPerSecond:0.00} of raw passthrough ({rawPerSecond:0} events/s raw); {drain}")
            + Environment.NewLine + $"  the drain's contexts and trigger ids: {agreement}"
            + string.Concat(observed.Select(line => Environment.NewLine + "  " + line))
            + (twoHopsPerSecond is { } twoHops
                ? Environment.NewLine + string.Create(CultureInfo.InvariantCulture,
                    $"  raw two-hop passthrough on one thread (the pipeline's shape, nothing done in either stage): {twoHops:0} events/s = {twoHops / rawPerSecond:0.00} of raw")
                : string.Empty);
    }

    private static async Task<long> ProduceBacklogAsync(
        KafkaOptions kafka, EmbeddedSchemaRegistry registry, SchemaCatalog contracts, Domain.Geo.StoreDirectory stores, ProductTopicNames topics, bool keyedByCustomer, int customers)
    {
        using var registryClient = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url.ToString().TrimEnd('/') });
        using var producer = new SimulatedRecordProducer(kafka, registryClient, contracts, "bench-backlog");
        // Journeys of the last hours at a brisk pace, all in the past (events dated ahead of the clock are invalid).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var population = new Population(customers, seed: 7, stores, now - 4 * 3_600_000L, eventsPerSecond: 20, topics, keyedByCustomer);
        var produced = 0L;
        foreach (var record in population.Setup().Concat(population.Events(JourneyEvents)))
        {
            await producer.ProduceAsync(record);
            if (++produced % 20_000 == 0)
            {
                producer.FlushAndCheck(TimeSpan.FromSeconds(60));
            }
        }

        producer.FlushAndCheck(TimeSpan.FromSeconds(60));
        return produced;
    }

    /// <summary>Every input record consumed and produced again (<see cref="RawPassthrough"/>), in records per second.</summary>
    private static double RawPassthroughRate(KafkaOptions kafka, EmbeddedKafkaCluster cluster, IReadOnlyList<string> inputs, long total)
    {
        const string Sink = "bench.raw-out";
        cluster.CreateTopic(Sink, 6);
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, ApplicationId = "bench-raw", FetchWaitMaxMs = kafka.FetchWaitMaxMs };
        var clock = Stopwatch.StartNew();
        RawPassthrough.Run(options, inputs, Sink, total, TimeSpan.FromMinutes(10));
        return total / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Every input record consumed, produced to a middle topic, consumed there and produced again, by one loop on one
    /// thread (<see cref="RawPassthrough.RunTwoHops"/>), in input records per second: the ceiling of a one-thread
    /// processor whose events take a repartition hop.
    /// </summary>
    private static double RawTwoHopsRate(KafkaOptions kafka, EmbeddedKafkaCluster cluster, IReadOnlyList<string> inputs, long total)
    {
        const string Middle = "bench.raw2-middle";
        const string Sink = "bench.raw2-out";
        cluster.CreateTopic(Middle, 6);
        cluster.CreateTopic(Sink, 6);
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, ApplicationId = "bench-raw2", FetchWaitMaxMs = kafka.FetchWaitMaxMs };
        var clock = Stopwatch.StartNew();
        RawPassthrough.RunTwoHops(options, inputs, Middle, Sink, total, TimeSpan.FromMinutes(10));
        return total / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The processor's rate over the drain, and lines on what it did meanwhile: what it used (<see cref="ProcessUsage"/>),
    /// where its stream threads' time went and what the runtime counted (<see cref="ProcessorScrape"/>).
    /// </summary>
    private static async Task<(double PerSecond, IReadOnlyList<string> Observed)> ProcessorAsync(
        KafkaOptions kafka, int threads, int customers, IReadOnlyList<KeyValuePair<string, string>> settings, TopicCatalog catalog, EmbeddedSchemaRegistry registry,
        RedisServerFixture redis, RedisKeys keys, IReadOnlyList<string> inputs, long total)
    {
        var port = FreePort.Next();
        var state = Directory.CreateTempSubdirectory("c360-e2e-state-");
        var environment = new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = ApplicationId,
            ["C360__Kafka__FetchWaitMaxMs"] = "10",
            // The embedded broker holds a join until the other members' sessions time out: keep that short.
            ["C360__Kafka__Properties__session.timeout.ms"] = "6000",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            // The backlog is hours old: timers come due by stream time, as in the reference replay.
            ["C360__Triggers__WallClockTimers"] = "false",
            ["C360__Streams__Threads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["C360__Streams__StateDirectory"] = state.FullName,
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__Redis__KeyPrefix"] = keys.Prefix,
            ["C360__SchemaRegistry__Url"] = registry.Url.ToString().TrimEnd('/'),
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = RepositoryLayout.TopologyDirectory,
            ["C360__Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            environment["C360__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var processor = ChildProcess.Start("dotnet", [RepositoryLayout.C360Dll, "run"], environment, workingDirectory: Path.GetTempPath());
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var watch = new DrainWatch(kafka, ApplicationId, catalog, inputs);
            long committedAtStart;
            while ((committedAtStart = watch.Committed()) == 0)
            {
                CheckRunning(processor, "before it committed an input");
                Check(watch.Elapsed < TimeSpan.FromMinutes(2), "the processor committed no input within 2 minutes");
                await Task.Delay(250);
            }

            var start = watch.Elapsed;
            var usageAtStart = ProcessUsage.Of(processor);
            var threadsAtStart = ThreadUsage.Of(processor.Id);
            var metricsAtStart = await ProcessorScrape.ScrapeAsync(http);
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            long committed;
            while ((committed = watch.Committed()) < total || watch.InternalLag() || await KnownContextsAsync(connection, keys) < customers)
            {
                CheckRunning(processor, "while draining");
                Check(watch.Elapsed < TimeSpan.FromMinutes(20), $"not drained within 20 minutes ({committed} of {total} committed)");
                await Task.Delay(250);
            }

            var drained = watch.Elapsed - start;
            var usage = (ProcessUsage.Of(processor) - usageAtStart).Describe(total - committedAtStart);
            var threadUsage = ThreadUsage.Of(processor.Id).DescribeSince(threadsAtStart, drained);
            var metricsAtEnd = await ProcessorScrape.ScrapeAsync(http);
            var deadLetters = DeadLetters(kafka, catalog);
            Check(deadLetters == 0, $"{deadLetters} records were dead-lettered");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"end-to-end: first inputs committed after {start.TotalSeconds:0.0} s ({committedAtStart:N0}); the rest drained in {drained.TotalSeconds:0.0} s"));
            Console.WriteLine("end-to-end: inputs committed per second of the drain: " + watch.RateBySecond(start));
            Console.WriteLine("end-to-end: events reduced into contexts by outcome: " + ReductionsByOutcome(metricsAtEnd));
            string[] observed =
            [
                "the processor while it drained: " + usage,
                "the processor's threads while it drained: " + threadUsage,
                "the stream threads while they drained: " + ProcessorScrape.DescribeThreadTime(metricsAtStart, metricsAtEnd),
                "the runtime while it drained: " + ProcessorScrape.DescribeRuntime(metricsAtStart, metricsAtEnd, drained),
            ];
            foreach (var line in observed)
            {
                Console.WriteLine("end-to-end: " + line);
            }

            return ((total - committedAtStart) / drained.TotalSeconds, observed);
        }
        finally
        {
            processor.Terminate();
            await processor.WaitForExitAsync(TimeSpan.FromSeconds(30));
            state.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The processor's own count of what became of each event (Applied, Late, Superseded, Duplicate, NoConsent), from its
    /// Prometheus text: a drain that differs from the replay shows here whether events arrived too late to apply.
    /// </summary>
    private static string ReductionsByOutcome(ProcessorScrape metrics)
    {
        var byOutcome = metrics.SumBy("c360_context_reductions_total", "outcome");
        return byOutcome.Count == 0 ? "(none reported)" : string.Join(", ", byOutcome.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {o.Value:N0}")));
    }

    /// <summary>Contexts of known customers in Redis (a scan: fine for a benchmark's check, never on a hot path).</summary>
    private static async Task<int> KnownContextsAsync(ConnectionMultiplexer connection, RedisKeys keys)
    {
        var known = 0;
        await foreach (var key in connection.GetServers()[0].KeysAsync(pattern: keys.ContextPattern, pageSize: 5_000))
        {
            known += keys.ContextIdOf(key!) is { } id && !id.StartsWith("anon:", StringComparison.Ordinal) ? 1 : 0;
        }

        return known;
    }

    private static long DeadLetters(KafkaOptions kafka, TopicCatalog catalog)
    {
        var topic = catalog.WithRole(TopicRole.DeadLetter).Single();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(kafka, "bench-dlq", "bench-dlq")).Build();
        return Enumerable.Range(0, topic.Partitions).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic.Name, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>
    /// Fails when the processor has ended, with its exit code and what it printed: a runtime that aborts (a damaged
    /// publish, once) prints nothing, and the code is then all there is to go on.
    /// </summary>
    private static void CheckRunning(ChildProcess processor, string when)
    {
        if (processor.HasExited)
        {
            var output = processor.AllOutput;
            throw new InvalidOperationException(
                $"the processor exited {when} with code {processor.ExitCode}{(output.Length == 0 ? ", printing nothing" : ": " + output)}");
        }
    }

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
