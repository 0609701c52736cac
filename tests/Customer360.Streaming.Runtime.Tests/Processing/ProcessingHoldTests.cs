using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// When a held stream thread asks its unavailable outside store to recover: after a backoff that doubles while the
/// store stays away, and at once when the store says it is back.
/// </summary>
public sealed class ProcessingHoldTests : IDisposable
{
    private static readonly StreamTopology Topology = new StreamTopologyBuilder("app")
        .AddSubTopology("count", ["in"], () => new CountingProcessor("out"))
        .Build();

    private readonly FakeTimeProvider _time = new();
    private readonly StreamsMetrics _metrics = new();
    private readonly OutsideStore _store = new() { Unavailable = "the outside store stopped answering" };
    private int _seconds;

    [Fact]
    public void A_store_that_stays_away_is_asked_again_after_a_doubling_backoff()
    {
        var hold = Hold();
        Assert.True(hold.Check(NoStores.Instance));

        var askedAt = AskedDuring(TimeSpan.FromSeconds(40), hold);

        Assert.Equal([1, 3, 7, 15, 31], askedAt);
    }

    [Fact]
    public void A_store_that_comes_back_is_asked_at_once_rather_than_at_the_end_of_the_backoff()
    {
        var hold = Hold();
        Assert.True(hold.Check(NoStores.Instance));
        Assert.Equal([1, 3, 7, 15], AskedDuring(TimeSpan.FromSeconds(17), hold));

        // Redis restarted 2 s into a 16 s backoff, and its client reconnected. Before: processing waited 14 s more
        // (27 s in one run of c360 run, after a 30 s outage).
        _store.Reconnections++;
        _store.RecoverSucceeds = true;

        Assert.False(hold.Check(NoStores.Instance));
        Assert.Equal(5, _store.Recoveries);
    }

    [Fact]
    public void A_reconnect_gives_one_early_try_and_then_the_backoff_holds_again()
    {
        var hold = Hold();
        Assert.True(hold.Check(NoStores.Instance));
        Assert.Equal([1, 3, 7], AskedDuring(TimeSpan.FromSeconds(8), hold));

        // Connected again, but the store still refuses (loading its data, out of memory): no retry on every loop.
        _store.Reconnections++;
        Assert.True(hold.Check(NoStores.Instance));
        Assert.Equal(4, _store.Recoveries);

        Assert.Equal([24], AskedDuring(TimeSpan.FromSeconds(17), hold));
    }

    public void Dispose() => _metrics.Dispose();

    private ProcessingHold Hold()
    {
        var streams = new StreamsOptions { TransientRetryBackoffMs = 1_000, TransientRetryBackoffMaxMs = 30_000 };
        var context = new StreamThreadContext(
            new KafkaOptions { BootstrapServers = "unused:9092", ApplicationId = "app" }, streams, Topology, _time, NullLogger.Instance, "app-1",
            _metrics, [_store], new StreamWorkerStatus(), thread: 1);
        return new ProcessingHold(context, commitProcessed: () => { });
    }

    /// <summary>Steps the clock a second at a time for <paramref name="span"/>, checking the hold at each: the seconds since the hold began at which the store was asked.</summary>
    private List<int> AskedDuring(TimeSpan span, ProcessingHold hold)
    {
        var asked = new List<int>();
        for (var i = 0; i < (int)span.TotalSeconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _seconds++;
            var before = _store.Recoveries;
            hold.Check(NoStores.Instance);
            if (_store.Recoveries > before)
            {
                asked.Add(_seconds);
            }
        }

        return asked;
    }

    private sealed class OutsideStore : ICommitObserver
    {
        public string? Unavailable { get; set; }

        public long Reconnections { get; set; }

        public bool RecoverSucceeds { get; set; }

        public int Recoveries { get; private set; }

        public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
        {
        }

        public void Recover(IOwnedStores owned)
        {
            Recoveries++;
            if (RecoverSucceeds)
            {
                Unavailable = null;
            }
        }
    }

    private sealed class NoStores : IOwnedStores
    {
        public static readonly NoStores Instance = new();

        public IEnumerable<KeyValuePair<string, byte[]>> Entries(string store) => [];

        public IEnumerable<KeyValuePair<string, T>> Entries<T>(string store, Stores.StateSerde<T> serde)
            where T : class => [];

        public T? Current<T>(string store, int partition, string key, Stores.StateSerde<T> serde)
            where T : class => null;
    }
}
