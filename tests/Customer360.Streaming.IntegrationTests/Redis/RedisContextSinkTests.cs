using System.Diagnostics.Metrics;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(RedisContextSinkTests));
        var (sink, owned, server, reader) = (rig.Sink, new OwnedContexts(), rig.Server, rig.Reader);

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
        Assert.StartsWith("Redis did not take a batch of contexts (no answer within 2 s)", sink.Unavailable, StringComparison.Ordinal);

        await server.ExecuteAsync("CLIENT", "UNPAUSE");
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        sink.Recover(owned);
        Assert.Null(sink.Unavailable);
        Assert.Equal(3, await reader.ReadVersionAsync(Customer));
    }

    [Fact]
    public async Task Event_to_Redis_latency_is_measured_from_the_record_that_changed_the_context_and_not_for_a_timers_change()
    {
        // A timer changes a context without a new event. Measured from the context's newest event time, such writes
        // looked seconds late and alone set the demo's event-to-Redis p99 (3,011 and 3,292 ms; 387 ms in another run).
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        redis.SkipUnlessAvailable();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var keys = new RedisKeys(new UniqueNames(nameof(RedisContextSinkTests)).Prefix);
        using var metrics = new PipelineMetrics();
        var recorded = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This sink's histogram only: other tests of the assembly run processors with sinks of their own meanwhile.
            if (ReferenceEquals(instrument, metrics.EventToRedisLatency))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => recorded.Add(value));
        listener.Start();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var sink = new RedisContextSink(new RedisContextWriter(connection, keys), TimeSpan.FromHours(1), time, metrics, NullLogger.Instance);
        var owned = new OwnedContexts();
        var eventTime = time.GetUtcNow().ToUnixTimeMilliseconds() - 5_000;

        // A record stamped 40 ms ago changed the context; its payload's event time is older still.
        owned.Put(Version(1) with { AsOfMs = eventTime });
        sink.Committed([Change(causedAtMs: time.GetUtcNow().ToUnixTimeMilliseconds() - 40)], owned);
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        Assert.Equal([40.0], recorded);

        // Later only a timer changed it: nothing to measure.
        time.Advance(TimeSpan.FromSeconds(3));
        owned.Put(Version(2) with { AsOfMs = eventTime });
        sink.Committed([Change()], owned);
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));

        Assert.Equal([40.0], recorded);
    }

    [Theory]
    [InlineData("OOM", "Redis is at its maxmemory and refuses writes; raise maxmemory")]
    [InlineData("NOPERM", "this Redis user's ACL refuses a command it needs")]
    public async Task A_Redis_that_refuses_writes_for_a_while_makes_the_sink_unavailable_until_it_takes_them_again(string refusal, string meaning)
    {
        // Out of memory under noeviction, loading its dataset after a restart, a replica during a failover: Redis
        // answers with an error, not silence. The sink threw it on the stream thread, which failed, and after
        // Streams:MaxThreadReplacements the processor stopped, where an outage holds processing and recovers. An ACL
        // that no longer lets the processor's user run its scripts (NOPERM) stopped it at once: a setting to mend, as a
        // refused login is, and one an orchestrator restarting the processor would not mend.
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(A_Redis_that_refuses_writes_for_a_while_makes_the_sink_unavailable_until_it_takes_them_again) + refusal);
        var (sink, owned, server, reader) = (rig.Sink, new OwnedContexts(), rig.Server, rig.Reader);

        await RefuseAsync(server, refusal, refusing: true);
        owned.Put(Version(1));
        sink.Committed([Change()], owned);
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        Assert.NotNull(sink.Unavailable);
        // What the refusal means, for whoever reads readiness or the log: the prefix alone left them to look it up.
        Assert.StartsWith($"Redis did not take a batch of contexts (RedisServerException {refusal}: {meaning})", sink.Unavailable, StringComparison.Ordinal);

        await RefuseAsync(server, refusal, refusing: false);
        owned.Put(Version(2));
        sink.Recover(owned);
        Assert.Null(sink.Unavailable);
        Assert.Equal(2, await reader.ReadVersionAsync(Customer));
    }

    [Fact]
    public async Task An_outage_is_logged_once_however_many_recoveries_fail_and_the_next_outage_again()
    {
        // The stream thread tries a recovery at every poll while Redis is away, and each failed try logged the same
        // warning: "Redis did not take 1000 context writes" every 2 s of a demo's outage.
        await using var rig = await SinkOnItsOwnRedis.StartAsync(nameof(An_outage_is_logged_once_however_many_recoveries_fail_and_the_next_outage_again));
        var (sink, owned, server) = (rig.Sink, new OwnedContexts(), rig.Server);
        int Warnings() => rig.Log.Entries.Count(e => e.Message.StartsWith("Redis did not take ", StringComparison.Ordinal));

        await RefuseAsync(server, "OOM", refusing: true);
        owned.Put(Version(1));
        sink.Committed([Change()], owned);
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            sink.Recover(owned);
            Assert.NotNull(sink.Unavailable);
        }

        Assert.Equal(1, Warnings());

        await RefuseAsync(server, "OOM", refusing: false);
        sink.Recover(owned);
        Assert.Null(sink.Unavailable);
        await RefuseAsync(server, "OOM", refusing: true);
        owned.Put(Version(2));
        sink.Committed([Change()], owned);
        Assert.True(sink.WhenWritten(TimeSpan.FromSeconds(30)));
        Assert.NotNull(sink.Unavailable);
        Assert.Equal(2, Warnings());
        await RefuseAsync(server, "OOM", refusing: false);
    }

    /// <summary>Makes Redis refuse the sink's writes with <paramref name="refusal"/>, or take them again.</summary>
    private static async Task RefuseAsync(IServer server, string refusal, bool refusing)
    {
        if (refusal == "OOM")
        {
            await server.ConfigSetAsync("maxmemory-policy", "noeviction");
            await server.ConfigSetAsync("maxmemory", refusing ? "1" : "0");
        }
        else
        {
            // The sink and this admin connection are both Redis's default user: it keeps ACL and CONFIG, not the scripts.
            await server.ExecuteAsync("ACL", "SETUSER", "default", refusing ? "-evalsha" : "+evalsha", refusing ? "-eval" : "+eval");
        }
    }

    /// <summary>Redis holds every write, scripts included, for far longer than the test needs; it is unpaused explicitly.</summary>
    private static Task<RedisResult> PauseWritesAsync(IServer server) => server.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");

    private static CustomerContext Version(long version) => CustomerContext.Empty(Customer) with { Version = version };

    private static StoreChange Change(long causedAtMs = StoreChange.NoInputRecord) => new(ProductTopics.ContextsStore, 0, Customer, Deleted: false, causedAtMs);

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
