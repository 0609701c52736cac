using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;

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
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(A_recovery_and_a_restore_re_assert_a_store_larger_than_one_batch_in_bounded_batches_and_all_of_it_reaches_Redis));

        rig.Sink.Recover(new ManyContexts(Contexts, version: 1));

        Assert.Null(rig.Sink.Unavailable);
        Assert.Equal(1, rig.Sink.Resyncs);
        Assert.Equal(3, rig.Sink.Batches);
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 1));
        // Long work says what it did: at production sizes a re-assertion takes seconds.
        Assert.Contains(rig.Log.Entries, e => e.Message.StartsWith($"Redis: re-asserted the {Contexts} contexts this stream thread owns in ", StringComparison.Ordinal));

        // A task finishing its restore re-asserts its partition's contexts the same way.
        rig.Sink.Restored(ProductTopics.ContextsStore, 0, new ManyContexts(Contexts, version: 2).Entries(ProductTopics.ContextsStore));

        Assert.Null(rig.Sink.Unavailable);
        Assert.Equal(6, rig.Sink.Batches);
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 2));
    }

    [Fact]
    public async Task A_commit_that_changed_more_contexts_than_one_batch_writes_them_in_bounded_batches_and_all_reach_Redis()
    {
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(A_commit_that_changed_more_contexts_than_one_batch_writes_them_in_bounded_batches_and_all_reach_Redis));

        rig.Sink.Committed(
            [.. Enumerable.Range(0, Contexts).Select(i => new StoreChange(ProductTopics.ContextsStore, 0, ManyContexts.Id(i), Deleted: false, StoreChange.NoInputRecord))],
            new ManyContexts(Contexts, version: 1));

        Assert.True(rig.Sink.WhenWritten(TimeSpan.FromSeconds(60)));
        Assert.Null(rig.Sink.Unavailable);
        Assert.Equal(3, rig.Sink.Batches);
        Assert.Equal(Contexts, await ManyContexts.CountAtVersionAsync(rig.Reader, Contexts, version: 1));
    }
}
