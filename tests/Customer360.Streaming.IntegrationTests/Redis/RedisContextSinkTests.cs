using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>
/// The sink writes a commit's contexts in the background, one batch at a time, against a redis-server of its own (the
/// shared one serves other tests) that is told to hold every write (CLIENT PAUSE WRITE): the stream thread does not wait for Redis, the next commit waits for the
/// batch before it, and a batch Redis does not take in time makes the sink unavailable until a recovery re-asserts the
/// contexts as they are then.
/// </summary>
public sealed class RedisContextSinkTests
{
    private const string Customer = "cust-1";

    [Fact]
    public async Task A_commit_leaves_its_batch_to_the_background_and_the_next_one_waits_for_it_or_says_Redis_is_unavailable()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // Pauses, unpauses and reads go over a connection of their own: Redis answers a connection in order, and the
        // sink's is stuck behind its held write.
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var keys = new RedisKeys(new UniqueNames(nameof(RedisContextSinkTests)).Prefix);
        var reader = new RedisContextWriter(admin, keys);
        using var metrics = new PipelineMetrics();
        var sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), TimeProvider.System, metrics, NullLogger.Instance);
        var owned = new OwnedContexts();

        owned.Put(Version(1));
        await PauseWritesAsync(server);
        sink.Committed([Change()], owned);

        // The commit returned while Redis still holds its batch.
        Assert.False(sink.WhenWritten(TimeSpan.Zero));
        Assert.Null(await reader.ReadVersionAsync(Customer));
        await server.ExecuteAsync("CLIENT", "UNPAUSE");
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await reader.ReadVersionAsync(Customer));
        Assert.Null(sink.Unavailable);

        // Held longer than the sink waits: the next commit finds the batch before it unwritten and stops writing.
        owned.Put(Version(2));
        await PauseWritesAsync(server);
        sink.Committed([Change()], owned);
        owned.Put(Version(3));
        sink.Committed([Change()], owned);
        Assert.NotNull(sink.Unavailable);

        await server.ExecuteAsync("CLIENT", "UNPAUSE");
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        sink.Recover(owned);
        Assert.Null(sink.Unavailable);
        Assert.Equal(3, await reader.ReadVersionAsync(Customer));
    }

    /// <summary>Redis holds every write, scripts included, for far longer than the test needs; it is unpaused explicitly.</summary>
    private static Task<RedisResult> PauseWritesAsync(IServer server) => server.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");

    private static CustomerContext Version(long version) => CustomerContext.Empty(Customer) with { Version = version };

    private static StoreChange Change() => new(ProductTopics.ContextsStore, 0, Customer, Deleted: false);

    /// <summary>The stores a stream thread owns, reduced to the one context this test changes.</summary>
    private sealed class OwnedContexts : IOwnedStores
    {
        private CustomerContext _current = CustomerContext.Empty(Customer);

        public void Put(CustomerContext context) => _current = context;

        public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) => [];

        public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, StateSerde<T> serde)
            where T : class =>
            store == ProductTopics.ContextsStore ? [KeyValuePair.Create(Customer, (T)(object)_current)] : [];

        public T? Current<T>(string store, int partition, string key, StateSerde<T> serde)
            where T : class => (T)(object)_current;
    }
}
