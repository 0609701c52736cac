using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>
/// Context versions count changes from the changelogs' beginning. A processor whose changelogs are new (another cluster,
/// or the same one after an application reset deleted and created them again) counts anew, below what Redis kept from
/// before; Redis must show the new state all the same.
/// </summary>
public sealed class ContextLineageTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    private const int Customers = 10;

    /// <summary>A customer the old cluster knew and the new one never hears of.</summary>
    private const string OnlyOnTheOldCluster = "c-gone";

    [Fact]
    public async Task A_processor_on_a_new_cluster_replaces_the_contexts_Redis_kept_from_the_old_one()
    {
        // Found by running c360 run on a new `c360 broker` against the redis-server of the run before: 3,429 of 3,430
        // writes were skipped as not newer, and 499 of 500 customers showed the old cluster's context, without a word.
        redis.SkipUnlessAvailable();
        var customers = Enumerable.Range(0, Customers).Select(i => $"c-{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        string redisPrefix;
        await using (var old = await ProcessorOnItsOwnCluster.StartAsync(nameof(A_processor_on_a_new_cluster_replaces_the_contexts_Redis_kept_from_the_old_one) + "-old", partitions: 2, redis, registry))
        {
            using var processor = old.StartProcessor();
            Assert.True(await old.WaitForReadyAsync(processor), "never ready: " + processor.AllOutput);
            await old.Input.ValidAsync(old.Topics.Relationship, OnlyOnTheOldCluster, CustomerRecords.Profile(OnlyOnTheOldCluster, "SILVER", now));
            foreach (var customer in customers)
            {
                await old.Input.ValidAsync(old.Topics.Relationship, customer, CustomerRecords.Profile(customer, "SILVER", now));
                await old.Input.ValidAsync(old.Topics.Identity, "web:a" + customer, new IdentityLink(Guid.NewGuid(), now, old.Topics.Identity, IdentifierType.Web, "a" + customer, customer, IdentityAction.Link));
                for (var click = 1; click <= 4; click++)
                {
                    await old.Input.ValidAsync(old.Topics.Clickstream, "web:a" + customer, CustomerRecords.PageView("a" + customer, now + (click * 1_000), "https://shop.example/p/old-cluster"));
                }
            }

            var before = await old.WaitForContextsAsync([.. customers, OnlyOnTheOldCluster], c => c.Version >= (c.ContextId == OnlyOnTheOldCluster ? 1 : 6), TimeSpan.FromMinutes(2));
            Assert.True(before.Count == Customers + 1, $"{before.Count} of {Customers + 1} contexts reached Redis: " + processor.AllOutput);
            redisPrefix = old.RedisPrefix;
        }

        await using var fresh = await ProcessorOnItsOwnCluster.StartAsync(
            nameof(A_processor_on_a_new_cluster_replaces_the_contexts_Redis_kept_from_the_old_one) + "-new", partitions: 2, redis, registry, redisPrefix: redisPrefix);
        using var second = fresh.StartProcessor();
        Assert.True(await fresh.WaitForReadyAsync(second), "never ready: " + second.AllOutput);
        foreach (var customer in customers)
        {
            await fresh.Input.ValidAsync(fresh.Topics.Relationship, customer, CustomerRecords.Profile(customer, "GOLD", now + 10_000));
        }

        var after = await fresh.WaitForContextsAsync(customers, c => c.Relationship?.Tier == "GOLD", TimeSpan.FromMinutes(1));
        Assert.True(after.Count == Customers, $"{after.Count} of {Customers} contexts show the new cluster's profile: " + second.AllOutput);
        Assert.All(after.Values, c => Assert.Equal((1L, null, 0), (c.Version, c.Web.LastPageUrl, c.Identifiers.Count)));
        Assert.Contains(second.StandardOutput, l => l.Contains("written from other changelogs", StringComparison.Ordinal));

        // The warning's advice: a rebuild removes what only the old cluster had, and what it writes carries the new
        // lineage, so the processor compares versions with it again.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(redisPrefix);
        await connection.GetDatabase().KeyDeleteAsync(keys.Context("c-0"));
        var report = await ContextRebuild.RunAsync(fresh.Options, connection, keys, TimeSpan.FromHours(1), dryRun: false, progress: null, TestContext.Current.CancellationToken);
        Assert.Equal((Customers, 1, 1), (report.InKafka, report.Missing, report.Extra));
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(fresh.Options, "lineage")).Build();
        var current = new RedisContextWriter(connection, keys, await ContextLineage.ReadAsync(admin, fresh.Options.ApplicationId, TimeSpan.FromSeconds(10)));
        Assert.Equal((1L, (long?)null), (await current.ReadVersionAsync("c-0"), await current.ReadVersionAsync(OnlyOnTheOldCluster)));
    }

    [Fact]
    public async Task The_lineage_is_the_same_on_one_cluster_and_another_on_a_new_one()
    {
        // Each cluster's processor set-up connects to Redis as well.
        redis.SkipUnlessAvailable();
        await using var first = await ProcessorOnItsOwnCluster.StartAsync(nameof(The_lineage_is_the_same_on_one_cluster_and_another_on_a_new_one) + "-1", partitions: 1, redis, registry);
        await using var second = await ProcessorOnItsOwnCluster.StartAsync(nameof(The_lineage_is_the_same_on_one_cluster_and_another_on_a_new_one) + "-2", partitions: 1, redis, registry);

        var lineages = new List<string>();
        foreach (var options in new[] { first.Options, first.Options, second.Options })
        {
            using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options, "lineage")).Build();
            lineages.Add(await ContextLineage.ReadAsync(admin, options.ApplicationId, TimeSpan.FromSeconds(10)));
        }

        Assert.Matches("^[A-Za-z0-9+/=_-]{22,24},[A-Za-z0-9+/=_-]{22,24}$", lineages[0]);
        Assert.Equal(lineages[0], lineages[1]);
        Assert.NotEqual(lineages[0], lineages[2]);
    }
}
