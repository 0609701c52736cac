using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// After a restore and after an outage the sink re-asserts whole stores, and a long commit interval on a backlog makes
/// a commit change many contexts: at production scale far more than Redis writes within the sink's write timeout.
/// Measured here: 50,000 contexts of 3.8 KB took 2.8 s (1.4 s when Redis already had them all), 100,000 took 5.6 s
/// (2.1 s). In one batch such a write timed out every time: a restart found Redis "unavailable" for good, and so did
/// the recovery from any outage. Each batch now holds at most <see cref="RedisContextSink.BatchSize"/> contexts, with
/// a timeout of its own.
/// </summary>
public sealed class RedisContextBatchSizeTests
{
    private const int Contexts = (2 * RedisContextSink.BatchSize) + 1;

    [Fact]
    public async Task A_recovery_and_a_restore_re_assert_a_store_larger_than_one_batch_in_bounded_batches_and_all_of_it_reaches_Redis()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(new UniqueNames(nameof(A_recovery_and_a_restore_re_assert_a_store_larger_than_one_batch_in_bounded_batches_and_all_of_it_reaches_Redis)).Prefix);
        using var metrics = new PipelineMetrics();
        var log = new RecordingLogger();
        var sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), TimeProvider.System, metrics, log);
        var owned = new ManyContexts(Contexts, version: 1);

        sink.Recover(owned);

        Assert.Null(sink.Unavailable);
        Assert.Equal(1, sink.Resyncs);
        Assert.Equal(3, sink.Batches);
        Assert.Equal(Contexts, await CountAtVersionAsync(connection, keys, Contexts, version: 1));
        // Long work says what it did: at production sizes a re-assertion takes seconds.
        Assert.Contains(log.Entries, e => e.Message.StartsWith($"Redis: re-asserted the {Contexts} contexts this stream thread owns in ", StringComparison.Ordinal));

        // A task finishing its restore re-asserts its partition's contexts the same way.
        var restored = new ManyContexts(Contexts, version: 2);
        sink.Restored(ProductTopics.ContextsStore, 0, restored.Entries(ProductTopics.ContextsStore));

        Assert.Null(sink.Unavailable);
        Assert.Equal(6, sink.Batches);
        Assert.Equal(Contexts, await CountAtVersionAsync(connection, keys, Contexts, version: 2));
    }

    [Fact]
    public async Task A_commit_that_changed_more_contexts_than_one_batch_writes_them_in_bounded_batches_and_all_reach_Redis()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(new UniqueNames(nameof(A_commit_that_changed_more_contexts_than_one_batch_writes_them_in_bounded_batches_and_all_reach_Redis)).Prefix);
        using var metrics = new PipelineMetrics();
        var sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), TimeProvider.System, metrics, new RecordingLogger());
        var owned = new ManyContexts(Contexts, version: 1);

        sink.Committed([.. Enumerable.Range(0, Contexts).Select(i => new StoreChange(ProductTopics.ContextsStore, 0, ManyContexts.Id(i), Deleted: false, StoreChange.NoInputRecord))], owned);

        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(60)));
        Assert.Null(sink.Unavailable);
        Assert.Equal(3, sink.Batches);
        Assert.Equal(Contexts, await CountAtVersionAsync(connection, keys, Contexts, version: 1));
    }

    private static async Task<int> CountAtVersionAsync(ConnectionMultiplexer connection, RedisKeys keys, int contexts, long version)
    {
        var reader = new RedisContextWriter(connection, keys);
        var versions = await Task.WhenAll(Enumerable.Range(0, contexts).Select(i => reader.ReadVersionAsync(ManyContexts.Id(i))));
        return versions.Count(v => v == version);
    }

    /// <summary>A thread's context store holding <c>count</c> customers' contexts, all at one version.</summary>
    private sealed class ManyContexts(int count, long version) : IOwnedStores
    {
        public static string Id(int i) => $"cust-{i:D5}";

        public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) =>
            Entries(store, ContextStateSerde.Instance).Select(e => KeyValuePair.Create(e.Key, ContextStateSerde.Instance.Encode(e.Value)));

        public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, StateSerde<T> serde)
            where T : class =>
            store == ProductTopics.ContextsStore
                ? Enumerable.Range(0, count).Select(i => KeyValuePair.Create(Id(i), (T)(object)(CustomerContext.Empty(Id(i)) with { Version = version })))
                : [];

        public T? Current<T>(string store, int partition, string key, StateSerde<T> serde)
            where T : class => (T)(object)(CustomerContext.Empty(key) with { Version = version });
    }
}
