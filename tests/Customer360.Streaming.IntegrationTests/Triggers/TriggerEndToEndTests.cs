using Avro.Generic;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.IntegrationTests.Triggers;

/// <summary>
/// The scripted journey on the embedded broker, through the processor with the shipped rules: exactly the expected
/// triggers and store events, with the ids an in-memory replay of the same records predicts (trigger ids hash rule,
/// customer and the source record's topic, partition and offset). A second application reading the same input emits
/// the same ids again. One customer's dwell fires from a timer, brought due by the next customer's records, which the
/// tasks take after hers because they merge their input partitions by timestamp.
/// </summary>
public sealed class TriggerEndToEndTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task ScriptedJourneys_YieldExactlyTheExpectedTriggersAndStoreEvents_AndAReplayYieldsTheSameIds()
    {
        var names = new UniqueNames(nameof(TriggerEndToEndTests));
        var firstApp = names.Group("trg");
        var secondApp = names.Group("trg-replay");
        var (catalog, folder) = SinglePartitionCatalog(names, firstApp, secondApp);
        foreach (var topic in catalog.Topics)
        {
            await kafka.CreateTopicAsync(topic.Name, topic.Partitions);
        }

        var topics = ProductTopicNames.FromCatalog(catalog);
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"));
        var rules = PrefixedRules(names);
        // c-1 stops after three sightings in electronics: her dwell completes on a timer, which c-2's records (same
        // partition, from 200 s later) bring due in stream time. c-2's sixth sighting passes three minutes itself.
        List<SimulatedRecord> records =
        [
            .. Prefixed(names, ScriptedJourney.Records("c-1", dwellSightings: 3)),
            .. Prefixed(names, ScriptedJourney.Records("c-2", ScriptedJourney.T0 + 200_000)),
        ];
        var expected = RuleReplay.Run(
            rules, [.. records.Select(r => new ReplayInput(r.Topic, r.Key, new ChannelEventWriter(contracts).Write(r.Event, r.Topic == topics.Beacon ? r.Key : null), r.Event.EventTimeMs))],
            new ReplaySetup(firstApp, catalog, contracts, stores, new ContextSettings(), new IdentitySettings(), new HygieneSettings()) { Drain = TimeSpan.Zero },
            new InProcessSchemaRegistry());
        var expectedTriggers = expected.Decisions.Where(d => d.Fired && d.RuleId != "zone-dwell-assist").Select(d => d.TriggerId!).ToList();
        var expectedStoreEvents = expected.StoreEvents.Select(e => e.EventId).ToList();
        Assert.Equal(["near-home-store-offer", "cart-reminder-in-store", "near-home-store-offer", "cart-reminder-in-store"], expected.Decisions.Where(d => d.Fired && d.RuleId != "zone-dwell-assist").Select(d => d.RuleId));
        Assert.Equal(
            ["ASSOCIATE_ASSIST", "ASSOCIATE_ASSIST", "CUSTOMER_DWELLING", "CUSTOMER_DWELLING", "CUSTOMER_ENTERED", "CUSTOMER_ENTERED"],
            expected.StoreEvents.Select(e => e.Type).Order(StringComparer.Ordinal));

        using var registryClient = registry.CreateClient();
        using (var producer = new SimulatedRecordProducer(kafka.Options(firstApp), registryClient, contracts, "trg-producer"))
        {
            // All of it on the brokers before the processor starts, so each task merges its inputs by timestamp
            // whatever order the partitions are fetched in (live, records of one moment may arrive in any order).
            await producer.ProduceAllAsync(records, TestContext.Current.CancellationToken);
        }

        await using (var first = Run(firstApp, catalog, rules, registryClient, contracts, stores))
        {
            Assert.True(
                await Eventually(() => Read(topics.StoreEvents, firstApp, registryClient).Count == expectedStoreEvents.Count, TimeSpan.FromSeconds(90)),
                $"the store events did not arrive ({first.Describe()}): " + Describe(Read(topics.Decisions, firstApp, registryClient)));
        }

        var triggers = Read(topics.Triggers, firstApp, registryClient);
        Assert.True(expectedTriggers.SequenceEqual(triggers.Select(t => (string)t["triggerId"])), $"triggers {Describe(triggers)}, decisions {Describe(Read(topics.Decisions, firstApp, registryClient))}");
        Assert.Equal(["c-1", "c-1", "c-2", "c-2"], triggers.Select(t => (string)t["customerId"]));
        var storeEvents = Read(topics.StoreEvents, firstApp, registryClient);
        Assert.Equal(expectedStoreEvents, storeEvents.Select(e => e["eventId"].ToString()!));
        Assert.All(storeEvents, e => Assert.Equal("berlin-mitte", (string)e["storeId"]));
        var assists = storeEvents.Where(e => ((GenericEnum)e["type"]).Value == "ASSOCIATE_ASSIST").ToList();
        Assert.Equal(expected.Decisions.Where(d => d.RuleId == "zone-dwell-assist" && d.Fired).Select(d => d.TriggerId), assists.Select(a => (string)a["triggerId"]));
        // c-1's assist is timed at her dwell's due time (entered electronics at 190 s, three minutes), not at a later record.
        Assert.Equal(ScriptedJourney.T0 + 190_000 + 180_000, Millis(assists[0]["eventTime"]));

        // Another application over the same input topics: the same ids, again.
        await using (var second = Run(secondApp, catalog, rules, registryClient, contracts, stores))
        {
            Assert.True(
                await Eventually(() => Read(topics.StoreEvents, secondApp, registryClient).Count == 2 * expectedStoreEvents.Count, TimeSpan.FromSeconds(90)),
                $"the replay's store events did not arrive ({second.Describe()})");
        }

        Assert.Equal([.. expectedTriggers, .. expectedTriggers], Read(topics.Triggers, secondApp, registryClient).Select(t => (string)t["triggerId"]));
        Assert.Equal([.. expectedStoreEvents, .. expectedStoreEvents], Read(topics.StoreEvents, secondApp, registryClient).Select(e => e["eventId"].ToString()!));

        // c360 rules test reads the same topics from the broker and replays them: the shipped rules against themselves
        // differ in nothing, and a cart reminder that needs more than 500 in the cart loses both of its triggers.
        var shippedFile = Path.Combine(folder, "shipped.yaml");
        var editedFile = Path.Combine(folder, "edited.yaml");
        File.WriteAllText(shippedFile, PrefixedRulesYaml(names));
        foreach (var decisioningCatalog in new[] { RuleSources.SegmentsFileName, RuleSources.OffersFileName })
        {
            File.Copy(Path.Combine(RepositoryLayout.TopologyDirectory, decisioningCatalog), Path.Combine(folder, decisioningCatalog), overwrite: true);
        }

        File.WriteAllText(editedFile, PrefixedRulesYaml(names).Replace("when: >-\n      context.cart.value > 0", "when: >-\n      context.cart.value > 500", StringComparison.Ordinal));
        string[] common =
        [
            "rules", "test", "--current", shippedFile, "--events", string.Join(',', topics.Channels), "--topology-dir", folder,
            "--application-id", firstApp, "--bootstrap-servers", kafka.BootstrapServers, "--registry-url", registry.UrlText,
        ];
        using var same = await ChildProcess.RunAsync("dotnet", [RepositoryLayout.C360Dll, .. common, "--rules", shippedFile], TimeSpan.FromMinutes(2));
        Assert.True(same.ExitCode == 0, same.AllOutput);
        Assert.Contains($"replayed {records.Count} records", same.AllOutput, StringComparison.Ordinal);
        Assert.Contains("diff: 0 gained, 0 lost, 0 changed, 6 unchanged", same.AllOutput, StringComparison.Ordinal);
        using var edited = await ChildProcess.RunAsync("dotnet", [RepositoryLayout.C360Dll, .. common, "--rules", editedFile, "--fail-on-diff"], TimeSpan.FromMinutes(2));
        Assert.True(edited.ExitCode == 1, edited.AllOutput);
        Assert.Contains("diff: 0 gained, 2 lost, 0 changed, 4 unchanged", edited.AllOutput, StringComparison.Ordinal);
    }

    private static List<SimulatedRecord> Prefixed(UniqueNames names, List<JourneyRecord> records) =>
        [.. records.Select(r => new SimulatedRecord(names.Topic(r.Topic), r.Key, r.Event))];

    /// <summary>The shipped topology with this test's names, one partition per topic: one task, one stream time for both customers.</summary>
    private static (TopicCatalog Catalog, string Directory) SinglePartitionCatalog(UniqueNames names, string firstApp, string secondApp)
    {
        var directory = C360Program.WritePrefixedTopology(names, firstApp);
        var yaml = File.ReadAllText(Path.Combine(directory, "topics.yaml")).Replace("partitions: 6", "partitions: 1", StringComparison.Ordinal);
        // The second application's internal topics, declared beside the first's.
        var internals = System.Text.RegularExpressions.Regex.Matches(yaml, $@"(?ms)^  - name: {firstApp}-\S+$.*?(?=^  - name: |\z)")
            .Select(m => m.Value.Replace(firstApp, secondApp, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(directory, "topics.yaml"), yaml.TrimEnd() + "\n" + string.Concat(internals));
        return (TopicCatalog.Load(Path.Combine(directory, "topics.yaml")), directory);
    }

    private static RuleSet PrefixedRules(UniqueNames names) =>
        RuleCatalog.Parse(RuleSources.Read(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName)) with { Rules = PrefixedRulesYaml(names) });

    /// <summary>The shipped rules, writing to this test's trigger and store-event topics.</summary>
    private static string PrefixedRulesYaml(UniqueNames names) =>
        File.ReadAllText(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName))
            .Replace("topic: c360.triggers.v1", $"topic: {names.Topic("c360.triggers.v1")}", StringComparison.Ordinal)
            .Replace("topic: c360.store-events.v1", $"topic: {names.Topic("c360.store-events.v1")}", StringComparison.Ordinal);

    /// <summary>
    /// A worker with the shipped rules. Stream time brings timers due; the wall clock stays out of it (today is months
    /// after the journeys' event times, so it would fire every timer at once, stale); its path has driver tests.
    /// </summary>
    private WorkerRun Run(string applicationId, TopicCatalog catalog, RuleSet rules, ISchemaRegistryClient registryClient, SchemaCatalog contracts, Domain.Geo.StoreDirectory stores)
    {
        var settings = new ContextPipelineSetup(
            new ContextSettings(), new IdentitySettings(), stores, new EventCodec(registryClient, new AvroSerdeOptions(), contracts, catalog), ProductTopicNames.FromCatalog(catalog))
        {
            Rules = new LiveRuleSet(rules),
            WallClockTimers = false,
        };
        var topology = ProductTopology.Build(applicationId, catalog, settings, new PipelineMetrics(), NullLoggerFactory.Instance);
        var options = kafka.Options(applicationId);
        options.FetchWaitMaxMs = 10;
        var worker = new StreamWorker(
            options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topology, TimeProvider.System,
            NullLogger<StreamWorker>.Instance, $"{applicationId}-{Guid.NewGuid():N}");
        return new WorkerRun(worker);
    }

    private List<GenericRecord> Read(string topic, string applicationId, ISchemaRegistryClient registryClient)
    {
        var deserializer = new AvroDeserializer<GenericRecord>(registryClient);
        return [.. KafkaTopicReader.ReadAll(kafka.Options(applicationId), topic).Select(r => deserializer.Deserialize(r.Message.Value))];
    }

    /// <summary>Rule, customer, outcome and source offset of trigger or decision records, for a failure message.</summary>
    private static string Describe(List<GenericRecord> records) => string.Join(", ", records.Select(r =>
        $"{r["ruleId"]}/{r["customerId"]}/{(r.TryGetValue("reason", out var reason) ? ((GenericEnum)reason).Value : "FIRED")}@{((GenericRecord)r["source"])["topic"]}:{((GenericRecord)r["source"])["offset"]}"));

    private static long Millis(object value) => (long)((DateTime)value - DateTime.UnixEpoch).TotalMilliseconds;

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        return condition();
    }

    private sealed class WorkerRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        private readonly StreamWorker _worker;

        public WorkerRun(StreamWorker worker)
        {
            _worker = worker;
            _running = worker.RunAsync(_stop.Token);
        }

        /// <summary>How the worker is doing, for a failure message.</summary>
        public string Describe() => _running.IsFaulted
            ? $"worker failed: {_running.Exception!.GetBaseException().Message}"
            : $"worker {_worker.Status.Phase}, {_worker.Status.RecordsConsumed} records consumed";

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running.WaitAsync(TimeSpan.FromSeconds(60));
            _stop.Dispose();
        }
    }
}
