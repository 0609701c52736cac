using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.IntegrationTests.Edges;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>
/// Issue 20's loss, replayed: the embedded broker keeps about 5 MiB per partition, so the oldest records of the contexts
/// changelog are deleted while <c>c360 run</c> works. After a SIGKILL the contexts must come from the local state, not
/// from the truncated changelog: a newer relationship profile lands on top of each customer's earlier data, and Redis,
/// which refuses a version that goes back, shows it. Before local state, every such customer restarted at version 1
/// and Redis stayed stale without a word. <c>scripts/soak-state.sh</c> runs the same story for ten minutes of the
/// simulator's traffic.
/// </summary>
public sealed class StateOutlivesRetentionTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    private const int Customers = 20;
    private const int Partitions = 2;

    [Fact]
    public async Task After_the_changelog_outgrew_retention_and_a_SIGKILL_a_newer_profile_lands_on_each_customers_earlier_context_in_Redis()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(StateOutlivesRetentionTests));
        var applicationId = names.Group("app");
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var topologyDirectory = C360Program.WritePrefixedTopology(names, applicationId);
        var topicsFile = Path.Combine(topologyDirectory, "topics.yaml");
        // Two partitions per topic: the same story with a third of the filler.
        File.WriteAllText(topicsFile, Regex.Replace(File.ReadAllText(topicsFile), @"(?m)^(\s*partitions: )\d+$", "${1}" + Partitions));
        var catalog = TopicCatalog.Load(topicsFile);
        foreach (var topic in catalog.Topics)
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }

        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ApplicationId = applicationId, FetchWaitMaxMs = 10 };
        var topics = ProductTopicNames.FromCatalog(catalog);
        var changelog = $"{applicationId}-{ProductTopics.ContextsStore}-changelog";
        var stateDirectory = Directory.CreateTempSubdirectory("c360-state-").FullName;
        var port = FreePort.Next();
        var redisPrefix = "retention-" + Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = cluster.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = applicationId,
            ["C360__Kafka__FetchWaitMaxMs"] = "10",
            // The killed member holds its partitions until its session times out (45 s by default).
            ["C360__Kafka__Properties__session.timeout.ms"] = "6000",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            ["C360__Streams__StateDirectory"] = stateDirectory,
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__Redis__KeyPrefix"] = redisPrefix,
            ["C360__SchemaRegistry__Url"] = registry.UrlText,
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = topologyDirectory,
        };
        using var registryClient = registry.CreateClient();
        using var input = new InputWriter(options, registryClient, topics, catalog);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var contexts = new RedisContextWriter(connection, new RedisKeys(redisPrefix));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;

        var first = C360Program.Start(["run"], environment);
        long changelogRecords;
        try
        {
            Assert.True(await C360Program.WaitForReadyAsync(http, first), "never ready: " + first.AllOutput);

            // Earlier data: a profile, a linked web identifier and a page view per customer.
            for (var i = 0; i < Customers; i++)
            {
                await input.ValidAsync(topics.Relationship, Customer(i), Profile(Customer(i), "SILVER", now));
                await input.ValidAsync(topics.Identity, $"web:a-{i}", new IdentityLink(Guid.NewGuid(), now, topics.Identity, IdentifierType.Web, $"a-{i}", Customer(i), IdentityAction.Link));
                await input.ValidAsync(topics.Clickstream, $"web:a-{i}", Click($"a-{i}", now + 1_000));
            }

            var before = await WaitForAsync(contexts, c => c.Web.LastPageUrl == FirstPage);
            Assert.True(before.Count == Customers, $"{before.Count} of {Customers} contexts reached Redis: " + first.AllOutput);

            // The broker deletes every one of those changelog records, as its size limit does under load.
            var fillerEnd = FillPastRetention(options, changelog, out var lowestStart, out var endBefore);
            Assert.True(lowestStart > endBefore, $"{changelog} still holds its first records (starts at {lowestStart}, they end at {endBefore})");

            // Other customers keep the processor writing until each task's checkpoint is past the deleted records,
            // as a running processor's is (a checkpoint at least every 10 s of changes).
            var caughtUp = await TouchUntilCheckpointedAsync(input, topics, stateDirectory, fillerEnd, now);
            Assert.True(caughtUp, "no checkpoint passed the filler: " + string.Join(", ", ContextCheckpoints(stateDirectory)));

            first.KillNow();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), "SIGKILL did not end the processor");
            changelogRecords = RecordsHeld(options, changelog);
        }
        finally
        {
            first.Dispose();
        }

        using var second = C360Program.Start(["run"], environment);
        Assert.True(await C360Program.WaitForReadyAsync(http, second), "never ready after the SIGKILL: " + second.AllOutput);
        for (var i = 0; i < Customers; i++)
        {
            await input.ValidAsync(topics.Relationship, Customer(i), Profile(Customer(i), "PLATINUM", now + 2_000));
        }

        var after = await WaitForAsync(contexts, c => c.Relationship?.Tier == "PLATINUM");
        Assert.True(after.Count == Customers, $"{after.Count} of {Customers} contexts show the newer profile: " + second.AllOutput);
        Assert.All(after.Values, c => Assert.Equal(FirstPage, c.Web.LastPageUrl));
        Assert.All(after.Values, c => Assert.Contains($"web:a-{c.ContextId["c-".Length..]}", c.Identifiers));

        // The restart read only the changelogs' tails: far fewer records than a restore from the start would read.
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var restored = Regex.Matches(metrics, @"c360_restore_records_total\{[^}]*store=""contexts""[^}]*\} (\d+)").Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.InRange(restored, 0, changelogRecords / 4);
        TestRunReport.Note($"state outlives retention: {Customers} contexts kept through a truncated changelog and a SIGKILL; the restart restored {restored} of the {changelogRecords} records its changelog held");
        Directory.Delete(stateDirectory, recursive: true);
    }

    private const string FirstPage = "https://shop.example/p/first-visit";

    private static string Customer(int i) => $"c-{i.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Past the embedded broker's per-partition limit on every partition of <paramref name="topic"/>, with runtime keys
    /// (NUL first) that restore skips. Returns the smallest end offset after it; <paramref name="lowestStart"/> is the
    /// smallest start offset after it and <paramref name="endBefore"/> the largest end offset before.
    /// </summary>
    private static long FillPastRetention(KafkaOptions options, string topic, out long lowestStart, out long endBefore)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options, "fill-check", "fill-check")).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        endBefore = partitions.Max(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var filler = ChangelogRecords.ValueFor(new byte[100_000]);
        using (var producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(options, "fill")).Build())
        {
            foreach (var partition in partitions)
            {
                for (var i = 0; i < 90; i++)
                {
                    producer.Produce(partition, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"\0filler-{i}"), Value = filler });
                }
            }

            producer.Flush(TimeSpan.FromSeconds(60));
        }

        var watermarks = partitions.Select(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10))).ToList();
        lowestStart = watermarks.Min(w => w.Low.Value);
        return watermarks.Min(w => w.High.Value);
    }

    private static long RecordsHeld(KafkaOptions options, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(options, "fill-check", "fill-check")).Build();
        return Enumerable.Range(0, Partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)))
            .Sum(w => w.High.Value - w.Low.Value);
    }

    /// <summary>New profiles of customers the assertions ignore, on every partition, until both tasks checkpoint past <paramref name="offset"/>.</summary>
    private static async Task<bool> TouchUntilCheckpointedAsync(InputWriter input, ProductTopicNames topics, string stateDirectory, long offset, long now)
    {
        var touched = Enumerable.Range(0, 50).Select(i => $"t-{i}")
            .GroupBy(id => Murmur2.Partition(Encoding.UTF8.GetBytes(id), Partitions)).Select(g => g.First()).ToList();
        Assert.Equal(Partitions, touched.Count);
        for (var round = 0; round < 60; round++)
        {
            var checkpoints = ContextCheckpoints(stateDirectory);
            if (checkpoints.Count == Partitions && checkpoints.All(c => c > offset))
            {
                return true;
            }

            foreach (var id in touched)
            {
                await input.ValidAsync(topics.Relationship, id, Profile(id, "BASIC", now + round));
            }

            await Task.Delay(1_000, TestContext.Current.CancellationToken);
        }

        return false;
    }

    /// <summary>The checkpointed contexts changelog offset of each task that has one.</summary>
    private static List<long> ContextCheckpoints(string stateDirectory) =>
        [.. Directory.EnumerateDirectories(stateDirectory)
            .Select(task => Path.GetFileName(task).Split('_'))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out _))
            .Select(parts => new TaskStateDirectory(stateDirectory, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)).ReadCheckpoint())
            .Where(checkpoint => checkpoint?.ContainsKey(ProductTopics.ContextsStore) == true)
            .Select(checkpoint => checkpoint![ProductTopics.ContextsStore])];

    /// <summary>The customers' contexts in Redis that satisfy <paramref name="done"/>, once all do or after two minutes.</summary>
    private static async Task<Dictionary<string, CustomerContext>> WaitForAsync(RedisContextWriter contexts, Func<CustomerContext, bool> done)
    {
        var found = new Dictionary<string, CustomerContext>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 600 && found.Count < Customers; attempt++)
        {
            for (var i = 0; i < Customers; i++)
            {
                if (await contexts.ReadJsonAsync(Customer(i)) is { } json && ContextJson.Deserialize(json) is var context && done(context))
                {
                    found[context.ContextId] = context;
                }
            }

            await Task.Delay(found.Count < Customers ? 200 : 0, TestContext.Current.CancellationToken);
        }

        return found;
    }

    private static RelationshipProfile Profile(string customer, string tier, long t) =>
        new(Guid.NewGuid(), t, "relationship", customer, tier, "families", 1234.50m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE");

    private static ClickEvent Click(string anonymousId, long t) =>
        new(Guid.NewGuid(), t, "clickstream", ClickType.PageView, anonymousId, null, "s-" + anonymousId, FirstPage, null, null, null, null, null, null);
}
