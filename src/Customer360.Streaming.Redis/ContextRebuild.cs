using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Pipeline;
using StackExchange.Redis;

namespace Customer360.Streaming.Redis;

/// <summary>What a rebuild found: keys compared, and how Redis differed from Kafka.</summary>
/// <param name="InKafka">Contexts in the changelogs (the truth).</param>
/// <param name="Same">Redis held exactly the document Kafka has.</param>
/// <param name="Different">Redis held another document (another version or content), or its key held a value of another type.</param>
/// <param name="Missing">Kafka has the context, Redis has no key for it.</param>
/// <param name="Extra">Redis held a context Kafka no longer has (erased, expired, or another deployment's).</param>
/// <param name="TruncatedPartitions">Changelog partitions whose oldest records the broker deleted: Kafka is not the whole truth.</param>
/// <param name="ExtraKept">The <paramref name="Extra"/> contexts were kept, because a changelog was truncated and --force was not given.</param>
/// <param name="PassedOver">Changelog records no c360 wrote (no key, not a store entry, or not a context), read past as the processor's restore does.</param>
public sealed record RebuildReport(int InKafka, int Same, int Different, int Missing, int Extra, int TruncatedPartitions = 0, bool ExtraKept = false, int PassedOver = 0)
{
    public int Differing => Different + Missing + Extra;
}

/// <summary>
/// <c>c360 context rebuild</c>: reads the context changelogs from Kafka to their end, compares every context with
/// Redis and, unless it is a dry run, makes Redis equal to Kafka. Redis is a derived view; the changelogs are the truth.
/// Run it while the processor is stopped, or accept that contexts changing meanwhile are compared mid-flight.
/// When a changelog was truncated (it no longer starts at offset 0), a context found only in Redis may be one whose
/// records the broker deleted: it is kept unless <c>force</c> says to delete it anyway.
/// </summary>
public static class ContextRebuild
{
    /// <summary>How often reading the changelogs says how far it got: a population of millions takes minutes.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    public static async Task<RebuildReport> RunAsync(
        KafkaOptions kafka, IConnectionMultiplexer redis, RedisKeys keys, TimeSpan anonymousTtl, bool dryRun, Action<string>? progress, CancellationToken cancellationToken,
        bool force = false, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        // Before the changelogs, which may take long to read: a Redis that does not answer fails the rebuild at once.
        Primaries(redis);
        var truncations = new List<ChangelogTruncation>();
        var passedOver = new ForeignRecords();
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, $"{kafka.ApplicationId}-rebuild-admin")).SetLogHandler(KafkaClientLog.Discard).Build();
        var truth = ReadChangelogs(kafka, admin, truncations, passedOver, progress, time ?? TimeProvider.System, cancellationToken);
        if (passedOver.Count > 0)
        {
            progress?.Invoke(
                $"passed over {passedOver.Count} changelog record(s) no c360 wrote, keeping for their contexts the document before them "
                + $"as the processor's restore does; the first, at {passedOver.First}, {passedOver.FirstProblem}");
        }

        // What it writes carries the changelogs' lineage, as the processor's writes do, so the processor compares
        // versions with it rather than replacing it.
        var lineage = await ContextLineage.ReadAsync(admin, kafka.ApplicationId, TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
        var database = redis.GetDatabase();
        var view = new RedisContextWriter(redis, keys, lineage);
        int same = 0, different = 0, missing = 0;
        var repair = new List<string>();
        foreach (var encoded in truth.Chunk(500))
        {
            var batch = Array.ConvertAll(encoded, latest => KeyValuePair.Create(latest.Key, ContextState.Decode(latest.Value)));
            var stored = batch.Select(c => view.ReadJsonAsync(c.Key)).ToArray();
            // A key another program wrote with another type reads as no document, yet it is there: different, not
            // missing. Asked only for the keys without a document, all at once (after a Redis flush that is every key).
            var present = new Task<bool>?[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                present[i] = await stored[i] is null ? database.KeyExistsAsync(keys.Context(batch[i].Key)) : null;
            }

            for (var i = 0; i < batch.Length; i++)
            {
                if (await stored[i] is not { } current)
                {
                    if (await present[i]!)
                    {
                        different++;
                    }
                    else
                    {
                        missing++;
                    }

                    repair.Add(batch[i].Key);
                }
                else if (current == ContextJson.Serialize(batch[i].Value))
                {
                    same++;
                }
                else
                {
                    different++;
                    repair.Add(batch[i].Key);
                }
            }
        }

        var extra = new List<string>();
        foreach (var server in Primaries(redis))
        {
            await foreach (var key in server.KeysAsync(database.Database, keys.ContextPattern, pageSize: 1_000).WithCancellation(cancellationToken))
            {
                if (keys.ContextIdOf((string)key!) is { } contextId && !truth.ContainsKey(contextId))
                {
                    extra.Add(contextId);
                }
            }
        }

        progress?.Invoke($"compared {truth.Count} contexts: {same} same, {different} different, {missing} missing in Redis, {extra.Count} only in Redis");
        foreach (var truncation in truncations)
        {
            progress?.Invoke($"{truncation.Topic}[{truncation.Partition}] starts at offset {truncation.LogStartOffset}: the broker deleted its oldest records");
        }

        var extraFound = extra.Count;
        var keepExtra = truncations.Count > 0 && !force && extraFound > 0;
        if (keepExtra)
        {
            progress?.Invoke($"keeping the {extra.Count} contexts only in Redis: a truncated changelog may have held them (--force deletes them anyway)");
            extra.Clear();
        }

        if (!dryRun && (repair.Count > 0 || extra.Count > 0))
        {
            // Kafka wins even over a higher version in Redis: delete, then write through the usual script.
            foreach (var chunk in repair.Chunk(500))
            {
                await view.WriteAsync([], chunk);
                await view.WriteAsync([.. chunk.Select(contextId => RedisContextSink.Document(ContextState.Decode(truth[contextId]), anonymousTtl))]);
            }

            foreach (var chunk in extra.Chunk(500))
            {
                await view.WriteAsync([], chunk);
            }

            progress?.Invoke($"repaired {repair.Count} contexts and removed {extra.Count}");
        }

        return new RebuildReport(truth.Count, same, different, missing, extraFound, truncations.Count, ExtraKept: keepExtra, PassedOver: passedOver.Count);
    }

    /// <summary>
    /// The servers that hold the keys, each connected. A server not connected is one whose contexts the search for those
    /// only in Redis would miss (one that never answered may be a primary), so the rebuild fails rather than report
    /// Redis equal to Kafka.
    /// </summary>
    private static IServer[] Primaries(IConnectionMultiplexer redis)
    {
        var servers = redis.GetServers();
        if (servers.Length == 0 || servers.Any(s => !s.IsConnected && !s.IsReplica))
        {
            var unanswered = string.Join(", ", servers.Where(s => !s.IsConnected).Select(s => s.EndPoint));
            throw new RedisConnectionException(
                ConnectionFailureType.UnableToConnect, CommandFlags.None, $"Redis does not answer at {unanswered}: every context is compared with it.", innerException: null, CommandStatus.Unknown);
        }

        return [.. servers.Where(s => !s.IsReplica)];
    }

    /// <summary>
    /// The latest context per context id across every partition of both context changelogs, kept encoded: a rebuild
    /// holds every customer's at once, and a decoded context takes about six times its ~900 encoded bytes (5,752 bytes
    /// for the simulator's). Each value is decoded as it is read all the same, so a record that holds no context leaves
    /// the one before it in place; the comparison decodes 500 at a time.
    /// </summary>
    private static Dictionary<string, byte[]> ReadChangelogs(
        KafkaOptions kafka, IAdminClient admin, List<ChangelogTruncation> truncations, ForeignRecords passedOver, Action<string>? progress, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, $"{kafka.ApplicationId}-rebuild", $"{kafka.ApplicationId}-rebuild")).SetLogHandler(KafkaClientLog.Discard).Build();
        foreach (var store in ProductTopics.ContextStores)
        {
            var topic = StreamTopology.ChangelogTopicOf(kafka.ApplicationId, store);
            var partitions = metadata.Topics.FirstOrDefault(t => t.Topic == topic)?.Partitions
                ?? throw new InvalidOperationException($"Changelog topic {topic} does not exist: nothing to rebuild from.");
            var ends = TopicReader.Watermarks(consumer, topic, partitions.Select(p => p.PartitionId), TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
            foreach (var (partition, watermarks) in ends)
            {
                if (watermarks.Low.Value > 0)
                {
                    truncations.Add(new ChangelogTruncation(store, topic, partition.Partition.Value, watermarks.Low.Value));
                }
            }

            var total = ends.Sum(end => end.Watermarks.High.Value - end.Watermarks.Low.Value);
            var shown = time.GetTimestamp();
            long seen = 0;
            var read = TopicReader.ReadToEnd(consumer, ends, record =>
            {
                if (++seen % 1_000 == 0 && time.GetElapsedTime(shown) >= ProgressEvery)
                {
                    shown = time.GetTimestamp();
                    progress?.Invoke($"read {seen:N0} of about {total:N0} records from {topic}");
                }

                if (ChangelogRecords.Foreign(record.Message.Key, record.Message.Value) is { } problem)
                {
                    passedOver.Add(record.TopicPartitionOffset, problem);
                    return;
                }

                var key = Encoding.UTF8.GetString(record.Message.Key!);
                if (ChangelogRecords.IsRuntimeKey(key))
                {
                    return;
                }

                var contextId = ProductTopics.ContextIdOf(store, key);
                if (ChangelogRecords.ValueOf(record.Message.Value) is not { } value)
                {
                    latest.Remove(contextId);
                    return;
                }

                try
                {
                    ContextState.Decode(value);
                    latest[contextId] = value;
                }
                catch (InvalidDataException unreadable)
                {
                    passedOver.Add(record.TopicPartitionOffset, $"holds no context ({unreadable.Message.TrimEnd('.')})");
                }
            }, cancellationToken);

            progress?.Invoke($"read {read} records from {topic}");
        }

        return latest;
    }

    /// <summary>Changelog records read past: how many, and where the first was and why.</summary>
    private sealed class ForeignRecords
    {
        public int Count { get; private set; }

        /// <summary>Where the first one is: topic, partition and offset.</summary>
        public string? First { get; private set; }

        public string? FirstProblem { get; private set; }

        public void Add(TopicPartitionOffset where, string problem)
        {
            if (Count++ == 0)
            {
                (First, FirstProblem) = ($"{where.Topic}[{where.Partition.Value}] offset {where.Offset.Value}", problem);
            }
        }
    }
}
