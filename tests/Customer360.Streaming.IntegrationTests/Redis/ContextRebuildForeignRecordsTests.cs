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
/// <c>c360 context rebuild</c> over changelogs holding records another program wrote. Found by hand: one record of
/// kcat's in the contexts changelog ended the rebuild with an unhandled exception and its stack trace, so Redis could
/// not be rebuilt at all. It now reads past them as the processor's restore does, and says so.
/// </summary>
public sealed class ContextRebuildForeignRecordsTests(KafkaFixture kafka, RedisServerFixture redis)
{
    [Fact]
    public async Task Records_no_c360_wrote_are_passed_over_and_counted_and_each_context_keeps_the_document_before_them()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(Records_no_c360_wrote_are_passed_over_and_counted_and_each_context_keeps_the_document_before_them));
        var options = kafka.Options(names.Group("app"));
        var changelog = await RebuildChangelogs.CreateAsync(kafka, options);
        var kept = CustomerContext.Empty("c-kept") with { Version = 2 };
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "foreign-writer")).Build())
        {
            async Task Write(string? key, byte[] value) =>
                await producer.ProduceAsync(changelog, new Message<byte[]?, byte[]?> { Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key), Value = value });

            await Write("c-kept", ChangelogRecords.ValueFor(ContextState.Encode(kept)));
            await Write("c-kept", "not a store entry"u8.ToArray());
            await Write(null, ChangelogRecords.ValueFor(ContextState.Encode(kept with { Version = 9 })));
            await Write("c-not-a-context", ChangelogRecords.ValueFor("a store entry, but no context"u8.ToArray()));
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(names.Group("rebuild"));
        var lines = new List<string>();

        var report = await ContextRebuild.RunAsync(options, connection, keys, TimeSpan.FromHours(1), dryRun: false, lines.Add, TestContext.Current.CancellationToken);

        Assert.Equal(new RebuildReport(InKafka: 1, Same: 0, Different: 0, Missing: 1, Extra: 0, PassedOver: 3), report);
        Assert.Equal(2, await new RedisContextWriter(connection, keys).ReadVersionAsync("c-kept"));
        Assert.False(await connection.GetDatabase().KeyExistsAsync(keys.Context("c-not-a-context")));
        var passedOver = Assert.Single(lines, l => l.StartsWith("passed over 3 changelog record(s)", StringComparison.Ordinal));
        Assert.Contains($"{changelog.Topic}[0] offset 1", passedOver, StringComparison.Ordinal);
    }
}
