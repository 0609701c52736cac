using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The end-to-end benchmark's reference check: a fast drain that is wrong must fail, not report a rate. The backlog
/// is read back from the cluster and replayed in memory through the same topology (the shipped rules, the default
/// settings, the topics' partition counts), every input at its partition and offset and all of them in timestamp
/// order, as the processor's stream thread picks them. The processor runs with <c>Triggers:WallClockTimers=false</c>,
/// so timers come due by stream time in both. The contexts it left in Redis must equal the replay's, and so must the
/// ids of the triggers it fired, on events and on timers.
/// </summary>
internal static class ReferenceReplay
{
    /// <summary>What differs between the drain and the replay, as lines to print; empty when they agree.</summary>
    public static async Task<IReadOnlyList<string>> DifferencesAsync(
        KafkaOptions kafka, TopicCatalog catalog, SchemaCatalog contracts, StoreDirectory stores, string registryUrl, IConnectionMultiplexer redis, RedisKeys keys)
    {
        var names = ProductTopicNames.FromCatalog(catalog);
        using var registry = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registryUrl });
        var rules = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml"));
        var timerRules = rules.Rules.Where(r => r.Absence is not null || r.Dwell is not null).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var codec = new EventCodec(registry, new AvroSerdeOptions(), contracts, catalog);
        var settings = new ContextPipelineSetup(new ContextSettings(), new IdentitySettings(), stores, codec, names)
        {
            Rules = new LiveRuleSet(rules),
            Hygiene = new HygieneSettings(),
            WallClockTimers = false,
        };
        var topology = ProductTopology.Build("c360", catalog, settings, new PipelineMetrics(), NullLoggerFactory.Instance);
        var partitions = catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table).Select(t => t.Partitions).Distinct().Single();
        var replay = new InMemoryTopologyRunner(topology, partitions);
        var inputs = catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table).Select(t => t.Name).ToList();
        var replayed = 0;
        foreach (var record in ReadAll(kafka, inputs, partitions).OrderBy(r => r.Message.Timestamp.UnixTimestampMs).ThenBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value))
        {
            replay.PipeInput(record.Topic, record.Message.Key is null ? null : System.Text.Encoding.UTF8.GetString(record.Message.Key), record.Message.Value, record.Message.Timestamp.UnixTimestampMs);
            replayed++;
        }

        var differences = new List<string>();
        await CompareContextsAsync(replay, partitions, new RedisContextWriter(redis, keys), differences);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var expected = Triggers(replay.ReadOutput(names.Triggers).Select(r => r.Value!), deserializer, timerRules);
        var actual = Triggers(ReadAll(kafka, [names.Triggers], catalog.Topics.First(t => t.Name == names.Triggers).Partitions).Select(r => r.Message.Value!), deserializer, timerRules);
        Compare("triggers fired on events", expected.OnEvents, actual.OnEvents, differences);
        Compare("triggers fired on timers", expected.OnTimers, actual.OnTimers, differences);
        if (differences.Count > 0)
        {
            // Which guard decided otherwise: the decisions of both by outcome and reason.
            var replayDecisions = Reasons(replay.ReadOutput(names.Decisions).Select(r => r.Value!), deserializer);
            var drainDecisions = Reasons(ReadAll(kafka, [names.Decisions], catalog.Topics.First(t => t.Name == names.Decisions).Partitions).Select(r => r.Message.Value!), deserializer);
            differences.Add("decisions that differ, by rule and reason (replay/drain): " + string.Join(", ", replayDecisions.Keys.Union(drainDecisions.Keys)
                .Where(k => replayDecisions.GetValueOrDefault(k) != drainDecisions.GetValueOrDefault(k)).Order(StringComparer.Ordinal)
                .Select(k => $"{k} {replayDecisions.GetValueOrDefault(k)}/{drainDecisions.GetValueOrDefault(k)}")));
        }

        Console.WriteLine($"end-to-end: reference replay of {replayed:N0} inputs: {expected.OnEvents.Count:N0} triggers on events ({actual.OnEvents.Count:N0} drained), "
            + $"{expected.OnTimers.Count:N0} on timers ({actual.OnTimers.Count:N0} drained)");
        return differences;
    }

    private static async Task CompareContextsAsync(InMemoryTopologyRunner replay, int partitions, RedisContextWriter redis, List<string> differences)
    {
        var compared = 0;
        var different = 0;
        var missing = 0;
        string? firstDifferent = null;
        for (var p = 0; p < partitions; p++)
        {
            foreach (var (customer, stored) in replay.StoreContents(ProductTopics.ContextsStore, p))
            {
                var json = ContextJson.Serialize(ContextState.Decode(stored));
                var written = await redis.ReadJsonAsync(customer);
                compared++;
                missing += written is null ? 1 : 0;
                if (written is not null && written != json)
                {
                    different++;
                    firstDifferent ??= FirstDifference(json, written);
                }
            }
        }

        Console.WriteLine($"end-to-end: compared {compared:N0} contexts of the replay with Redis");
        if (missing + different > 0)
        {
            differences.Add($"contexts: {missing} of {compared} missing in Redis, {different} different (first at: {firstDifferent})");
        }
    }

    /// <summary>Where two JSON documents part, as the few characters around it (simulated customers: no one's data).</summary>
    private static string FirstDifference(string expected, string actual)
    {
        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        var from = Math.Max(0, at - 40);
        return $"replay …{expected[from..Math.Min(expected.Length, at + 40)]}… vs Redis …{actual[from..Math.Min(actual.Length, at + 40)]}…";
    }

    private static void Compare(string what, HashSet<string> expected, HashSet<string> actual, List<string> differences)
    {
        var missing = expected.Except(actual).Count();
        var extra = actual.Except(expected).Count();
        if (missing + extra > 0)
        {
            differences.Add($"{what}: {missing} of the replay's {expected.Count} missing, {extra} not in the replay");
        }
    }

    private static Dictionary<string, int> Reasons(IEnumerable<byte[]> values, AvroDeserializer<GenericRecord> deserializer)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var decision = deserializer.Deserialize(value);
            var key = $"{(string)decision["ruleId"]}:{((GenericEnum)decision["reason"]).Value}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private static (HashSet<string> OnEvents, HashSet<string> OnTimers) Triggers(IEnumerable<byte[]> values, AvroDeserializer<GenericRecord> deserializer, HashSet<string> timerRules)
    {
        var onEvents = new HashSet<string>(StringComparer.Ordinal);
        var timers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var trigger = deserializer.Deserialize(value);
            (timerRules.Contains((string)trigger["ruleId"]) ? timers : onEvents).Add((string)trigger["triggerId"]);
        }

        return (onEvents, timers);
    }

    private static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(KafkaOptions kafka, IEnumerable<string> topics, int partitions)
    {
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, "bench-reference", "bench-reference")).Build();
        foreach (var topic in topics)
        {
            TopicReader.ReadToEnd(consumer, topic, Enumerable.Range(0, partitions), TimeSpan.FromSeconds(30), records.Add, CancellationToken.None);
        }

        return records;
    }
}
