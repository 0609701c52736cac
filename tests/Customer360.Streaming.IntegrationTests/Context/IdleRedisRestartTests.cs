using System.Globalization;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>
/// Redis restarted without persistence comes back empty. Found by hand: with a `c360 run` that had nothing to process
/// (the simulator done), a redis-server restarted under it stayed at 0 keys; the processor logged the reconnect and was
/// ready again, but re-asserted its contexts only at its next commit, and an idle processor does not commit. Every
/// customer's single view was gone until that customer's next event.
/// </summary>
public sealed class IdleRedisRestartTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    private const int Customers = 8;

    [Fact]
    public async Task An_idle_processor_writes_its_contexts_again_into_a_Redis_restarted_empty()
    {
        redis.SkipUnlessAvailable();
        var port = FreePort.Next();
        var customers = Enumerable.Range(0, Customers).Select(i => $"c-{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var before = await RedisServerFixture.StartOnPortAsync(port);
        await using var cluster = await ProcessorOnItsOwnCluster.StartAsync(nameof(An_idle_processor_writes_its_contexts_again_into_a_Redis_restarted_empty), partitions: 2, before, registry);
        using var processor = cluster.StartProcessor();
        Assert.True(await cluster.WaitForReadyAsync(processor), "never ready: " + processor.AllOutput);
        foreach (var customer in customers)
        {
            await cluster.Input.ValidAsync(cluster.Topics.Relationship, customer, CustomerRecords.Profile(customer, "GOLD", now));
        }

        var written = await cluster.WaitForContextsAsync(customers, c => c.Relationship?.Tier == "GOLD", TimeSpan.FromMinutes(1));
        Assert.True(written.Count == Customers, $"{written.Count} of {Customers} contexts reached Redis: " + processor.AllOutput);

        await before.DisposeAsync();
        await using var restarted = await RedisServerFixture.StartOnPortAsync(port);

        // Nothing is sent from here on: only the processor's own re-assertion can bring the contexts back.
        var back = await cluster.WaitForContextsAsync(customers, c => c.Relationship?.Tier == "GOLD", TimeSpan.FromSeconds(60));
        Assert.True(back.Count == Customers, $"{back.Count} of {Customers} contexts are back in the restarted Redis: " + processor.AllOutput);
        Assert.Contains(processor.StandardOutput, l => l.Contains("Redis connection restored", StringComparison.Ordinal));
    }
}
