using Confluent.Kafka;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// <c>c360 context rebuild</c> reads every changelog record before it compares anything, which for millions of customers
/// takes minutes: it says how far it got every 5 s instead of one line per topic at the end.
/// </summary>
public sealed class ContextRebuildProgressTests(KafkaFixture kafka, RedisServerFixture redis)
{
    private const int Records = 2_500;

    [Fact]
    public async Task A_long_read_of_the_changelogs_says_how_far_it_got_and_still_rebuilds_every_context()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(A_long_read_of_the_changelogs_says_how_far_it_got_and_still_rebuilds_every_context));
        var options = kafka.Options(names.Group("app"));
        var changelog = await RebuildChangelogs.CreateAsync(kafka, options);

        // Two versions of each of 1,250 contexts: the rebuild keeps the later one.
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "changelog-writer")).Build())
        {
            for (var i = 0; i < Records; i++)
            {
                var context = CustomerContext.Empty($"c-{i % (Records / 2):D4}") with { Version = 1 + (i / (Records / 2)) };
                producer.Produce(changelog, new Message<byte[]?, byte[]?> { Key = System.Text.Encoding.UTF8.GetBytes(context.ContextId), Value = ChangelogRecords.ValueFor(ContextState.Encode(context)) });
            }

            producer.Flush(TestContext.Current.CancellationToken);
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(names.Group("rebuild"));
        var lines = new List<string>();

        var report = await ContextRebuild.RunAsync(
            options, connection, keys, TimeSpan.FromHours(1), dryRun: false, lines.Add, TestContext.Current.CancellationToken, time: new FiveSecondsPerLook());

        Assert.Equal(new RebuildReport(InKafka: Records / 2, Same: 0, Different: 0, Missing: Records / 2, Extra: 0), report);
        Assert.Equal(2, await new RedisContextWriter(connection, keys).ReadVersionAsync("c-0042"));
        Assert.Equal(
            [$"read 1,000 of about 2,500 records from {changelog.Topic}", $"read 2,000 of about 2,500 records from {changelog.Topic}"],
            lines.Where(line => line.StartsWith("read 1,000 ", StringComparison.Ordinal) || line.StartsWith("read 2,000 ", StringComparison.Ordinal)));
    }

    /// <summary>A clock that moves 5 s each time it is read: every look at it finds the progress interval gone by.</summary>
    private sealed class FiveSecondsPerLook : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, 5 * TimeSpan.TicksPerSecond);
    }
}
