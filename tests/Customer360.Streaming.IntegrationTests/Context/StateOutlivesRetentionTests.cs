using System.Globalization;
using System.Text;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.IntegrationTests.Runtime;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

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

    /// <summary>Set by <c>scripts/soak-state.sh</c>: seconds of the simulator's traffic for the soak below.</summary>
    private static readonly int SoakSeconds =
        int.TryParse(Environment.GetEnvironmentVariable("C360_STATE_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;

    [Fact]
    public async Task After_the_changelog_outgrew_retention_and_a_SIGKILL_a_newer_profile_lands_on_each_customers_earlier_context_in_Redis()
    {
        redis.SkipUnlessAvailable();
        // Two partitions per topic: the same story with a third of the filler.
        await using var run = await ProcessorOnItsOwnCluster.StartAsync(nameof(After_the_changelog_outgrew_retention_and_a_SIGKILL_a_newer_profile_lands_on_each_customers_earlier_context_in_Redis), partitions: 2, redis, registry);
        var customers = Enumerable.Range(0, Customers).Select(i => $"c-{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;

        var first = run.StartProcessor();
        long changelogRecords;
        try
        {
            Assert.True(await run.WaitForReadyAsync(first), "never ready: " + first.AllOutput);

            // Earlier data: a profile, a linked web identifier and a page view per customer.
            foreach (var customer in customers)
            {
                await run.Input.ValidAsync(run.Topics.Relationship, customer, CustomerRecords.Profile(customer, "SILVER", now));
                await run.Input.ValidAsync(run.Topics.Identity, "web:a" + customer, new IdentityLink(Guid.NewGuid(), now, run.Topics.Identity, IdentifierType.Web, "a" + customer, customer, IdentityAction.Link));
                await run.Input.ValidAsync(run.Topics.Clickstream, "web:a" + customer, CustomerRecords.PageView("a" + customer, now + 1_000, FirstPage));
            }

            var before = await run.WaitForContextsAsync(customers, c => c.Web.LastPageUrl == FirstPage, TimeSpan.FromMinutes(2));
            Assert.True(before.Count == Customers, $"{before.Count} of {Customers} contexts reached Redis: " + first.AllOutput);

            // The broker deletes every one of those changelog records, as its size limit does under load.
            var endBefore = run.ChangelogWatermarks().Max(w => w.High.Value);
            BrokerRetention.FillPastLimit(run.Options, run.ContextsChangelog, Enumerable.Range(0, run.Partitions));
            var lowestStart = run.ChangelogWatermarks().Min(w => w.Low.Value);
            Assert.True(lowestStart > endBefore, $"{run.ContextsChangelog} still holds its first records (starts at {lowestStart}, they end at {endBefore})");

            // Other customers keep the processor writing until each task's checkpoint is past the deleted records,
            // as a running processor's is (a checkpoint at least every 10 s of changes).
            var fillerEnd = run.ChangelogWatermarks().Min(w => w.High.Value);
            var caughtUp = await TouchUntilCheckpointedAsync(run, fillerEnd, now);
            Assert.True(caughtUp, "no checkpoint passed the filler: " + string.Join(", ", run.ContextCheckpoints()));

            first.KillNow();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), "SIGKILL did not end the processor");
            changelogRecords = run.ChangelogWatermarks().Sum(w => w.High.Value - w.Low.Value);
        }
        finally
        {
            first.Dispose();
        }

        using var second = run.StartProcessor();
        Assert.True(await run.WaitForReadyAsync(second), "never ready after the SIGKILL: " + second.AllOutput);
        foreach (var customer in customers)
        {
            await run.Input.ValidAsync(run.Topics.Relationship, customer, CustomerRecords.Profile(customer, "PLATINUM", now + 2_000));
        }

        var after = await run.WaitForContextsAsync(customers, c => c.Relationship?.Tier == "PLATINUM", TimeSpan.FromMinutes(2));
        Assert.True(after.Count == Customers, $"{after.Count} of {Customers} contexts show the newer profile: " + second.AllOutput);
        Assert.All(after.Values, c => Assert.Equal(FirstPage, c.Web.LastPageUrl));
        Assert.All(after.Values, c => Assert.Contains("web:a" + c.ContextId, c.Identifiers));

        // The restart read only the changelogs' tails: far fewer records than a restore from the start would read.
        var restored = await run.RestoredContextRecordsAsync();
        Assert.InRange(restored, 0, changelogRecords / 4);
        TestRunReport.Note($"state outlives retention: {Customers} contexts kept through a truncated changelog and a SIGKILL; the restart restored {restored} of the {changelogRecords} records its changelog held");
    }

    /// <summary>
    /// The soak of the same story, run by <c>scripts/soak-state.sh</c> (skipped in the suite): the simulator's 1,000
    /// customers at 150 events/s for <c>C360_STATE_SOAK_SECONDS</c>, the processor SIGKILLed and restarted halfway,
    /// then a newer profile for every customer. Every context must show it with every identifier it had before.
    /// </summary>
    [Fact]
    public async Task Soak_the_simulators_traffic_past_retention_with_a_SIGKILL_halfway_then_a_newer_profile_for_every_customer()
    {
        Assert.SkipWhen(SoakSeconds <= 0, "a soak: ./scripts/soak-state.sh runs it");
        redis.SkipUnlessAvailable();
        await using var run = await ProcessorOnItsOwnCluster.StartAsync("soak", partitions: 6, redis, registry);
        var first = run.StartProcessor();
        ChildProcess second;
        try
        {
            Assert.True(await run.WaitForReadyAsync(first), "never ready: " + first.AllOutput);
            using var simulate = C360Program.Start(
            [
                "simulate", "--customers", "1000", "--rate", "150", "--duration", SoakSeconds.ToString(CultureInfo.InvariantCulture),
                "--topology-dir", run.TopologyDirectory, "--bootstrap-servers", run.Options.BootstrapServers, "--registry-url", registry.UrlText,
            ]);
            await Task.Delay(TimeSpan.FromSeconds(SoakSeconds / 2.0), TestContext.Current.CancellationToken);
            first.KillNow();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), "SIGKILL did not end the processor");
            second = run.StartProcessor();
            Assert.True(await run.WaitForReadyAsync(second), "never ready after the SIGKILL: " + second.AllOutput);
            Assert.True(await simulate.WaitForExitAsync(TimeSpan.FromSeconds(SoakSeconds + 300)), "the simulator did not finish");
            Assert.True(simulate.ExitCode == 0, simulate.AllOutput);
        }
        finally
        {
            first.Dispose();
        }

        using (second)
        {
            Assert.True(await run.WaitForNoLagAsync(TimeSpan.FromMinutes(10)), "the processor did not catch up: " + second.AllOutput);
            // Reported, not asserted: since contexts are compact and written once per commit, the simulator's traffic
            // may no longer outgrow the broker's retention in the time given (the suite's test forces it).
            var watermarks = run.ChangelogWatermarks();
            var truncated = watermarks.Count(w => w.Low.Value > 0);

            var customers = KafkaTopicReader.ReadAll(run.Options, run.Topics.Relationship)
                .Select(r => Encoding.UTF8.GetString(r.Message.Key!)).Distinct(StringComparer.Ordinal).ToList();
            var before = await run.WaitForContextsAsync(customers, _ => true, TimeSpan.FromMinutes(1));
            Assert.Equal(customers.Count, before.Count);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var customer in customers)
            {
                await run.Input.ValidAsync(run.Topics.Relationship, customer, CustomerRecords.Profile(customer, "PLATINUM", now));
            }

            var after = await run.WaitForContextsAsync(customers, c => c.Relationship?.Tier == "PLATINUM", TimeSpan.FromMinutes(5));
            Assert.True(after.Count == customers.Count, $"{after.Count} of {customers.Count} contexts show the newer profile");
            var lost = after.Values
                .Where(c => c.Version <= before[c.ContextId].Version || !before[c.ContextId].Identifiers.All(c.Identifiers.Contains))
                .Select(c => $"{c.ContextId}: version {before[c.ContextId].Version} -> {c.Version}, identifiers "
                    + $"[{string.Join(", ", before[c.ContextId].Identifiers)}] -> [{string.Join(", ", c.Identifiers)}]")
                .ToList();
            var kept = customers.Count - lost.Count;
            Assert.True(lost.Count == 0, $"{kept} of {customers.Count} contexts kept their earlier data under the newer profile; not: " + string.Join("; ", lost.Take(10)));
            var restored = await run.RestoredContextRecordsAsync();
            TestRunReport.Note(
                $"state soak: {SoakSeconds} s of 1,000 customers at 150 events/s; {truncated} of {run.Partitions} contexts changelog partitions truncated " +
                $"({watermarks.Sum(w => w.High.Value)} records written, {watermarks.Sum(w => w.Low.Value)} deleted by the broker); " +
                $"SIGKILL halfway, the restart restored {restored} contexts records; {kept} of {customers.Count} contexts show the newer profile on their earlier data");
        }
    }

    private const string FirstPage = "https://shop.example/p/first-visit";

    /// <summary>New profiles of customers the assertions ignore, on every partition, until every task checkpoints past <paramref name="offset"/>.</summary>
    private static async Task<bool> TouchUntilCheckpointedAsync(ProcessorOnItsOwnCluster run, long offset, long now)
    {
        var touched = Enumerable.Range(0, 50).Select(i => $"t-{i}")
            .GroupBy(id => Murmur2.Partition(Encoding.UTF8.GetBytes(id), run.Partitions)).Select(g => g.First()).ToList();
        Assert.Equal(run.Partitions, touched.Count);
        for (var round = 0; round < 60; round++)
        {
            var checkpoints = run.ContextCheckpoints();
            if (checkpoints.Count == run.Partitions && checkpoints.All(c => c > offset))
            {
                return true;
            }

            foreach (var id in touched)
            {
                await run.Input.ValidAsync(run.Topics.Relationship, id, CustomerRecords.Profile(id, "BASIC", now + round));
            }

            await Task.Delay(1_000, TestContext.Current.CancellationToken);
        }

        return false;
    }
}
