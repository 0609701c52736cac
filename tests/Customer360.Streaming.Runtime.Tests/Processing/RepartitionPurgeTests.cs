using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// The repartition purge after commits: only repartition partitions, up to their committed offsets, at most once per
/// interval and one deletion at a time; a broker that refuses is named once and not asked again, a deletion that
/// failed for a passing reason is covered by the next one, and a stop does not close the deleter under a deletion.
/// </summary>
public sealed class RepartitionPurgeTests : IDisposable
{
    private const string Repartition = "app-by-customer-repartition";
    private const string Input = "events";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingDeleter _deleter = new();
    private readonly RecordingLogger _logger = new();
    private readonly StreamsMetrics _metrics = new();
    private readonly CounterRecorder _counters;

    public RepartitionPurgeTests() => _counters = new CounterRecorder(_metrics.Meter);

    [Fact]
    public async Task Deletes_only_repartition_records_below_the_committed_offsets_and_at_most_once_per_interval()
    {
        using var purge = Purge(Interval);

        purge.Committed([At(Repartition, 0, 10), At(Input, 0, 5)]);
        await purge.InFlight;
        _time.Advance(TimeSpan.FromMilliseconds(500));
        purge.Committed([At(Repartition, 0, 20), At(Repartition, 1, 7)]);
        await purge.InFlight;
        _time.Advance(TimeSpan.FromMilliseconds(600));
        purge.Committed([At(Repartition, 0, 25)]);
        await purge.InFlight;

        Assert.Equal(["app-by-customer-repartition[0]@10", "app-by-customer-repartition[0]@25 app-by-customer-repartition[1]@7"], _deleter.Calls);
        Assert.Equal(3, _counters.Total("c360.repartition.purges"));
    }

    [Fact]
    public async Task Waits_for_the_deletion_in_flight_and_then_sends_what_was_committed_meanwhile_in_one()
    {
        using var purge = Purge(Interval);
        var held = _deleter.HoldNext();

        purge.Committed([At(Repartition, 0, 10)]);
        await held.Entered.Task;
        _time.Advance(Interval);
        purge.Committed([At(Repartition, 0, 30)]);
        _time.Advance(Interval);
        purge.Committed([At(Repartition, 1, 4)]);
        Assert.Equal(["app-by-customer-repartition[0]@10"], _deleter.Calls);

        held.Release.SetResult();
        await purge.InFlight;
        purge.Committed([At(Repartition, 2, 1)]);
        await purge.InFlight;

        Assert.Equal(
            ["app-by-customer-repartition[0]@10", "app-by-customer-repartition[0]@30 app-by-customer-repartition[1]@4 app-by-customer-repartition[2]@1"],
            _deleter.Calls);
    }

    [Fact]
    public async Task A_broker_that_refuses_DeleteRecords_is_named_once_and_not_asked_again()
    {
        using var purge = Purge(Interval);
        _deleter.FailNextWith(ErrorCode.Local_UnsupportedFeature);

        purge.Committed([At(Repartition, 0, 10)]);
        await purge.InFlight;
        for (var commit = 1; commit <= 3; commit++)
        {
            _time.Advance(Interval);
            purge.Committed([At(Repartition, 0, 10 + commit)]);
            await purge.InFlight;
        }

        Assert.False(purge.Active);
        Assert.Single(_deleter.Calls);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("stops purging its repartition topics", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Local_UnsupportedFeature", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deletion_that_failed_for_a_passing_reason_is_logged_and_the_next_commits_are_purged()
    {
        using var purge = Purge(Interval);
        _deleter.FailNextWith(ErrorCode.RequestTimedOut);

        purge.Committed([At(Repartition, 0, 10)]);
        await purge.InFlight;
        _time.Advance(Interval);
        purge.Committed([At(Repartition, 0, 12)]);
        await purge.InFlight;

        Assert.True(purge.Active);
        Assert.Equal(["app-by-customer-repartition[0]@10", "app-by-customer-repartition[0]@12"], _deleter.Calls);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("RequestTimedOut", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stop_during_a_deletion_leaves_the_deleter_open_until_that_deletion_ends()
    {
        var purge = Purge(Interval);
        var held = _deleter.HoldNext();
        purge.Committed([At(Repartition, 0, 10)]);
        await held.Entered.Task;

        purge.Dispose();
        var disposedWhileDeleting = _deleter.Disposed;
        held.Release.SetResult();
        await purge.InFlight;
        await _deleter.WhenDisposed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.False(disposedWhileDeleting);
        Assert.True(_deleter.Disposed);
    }

    [Fact]
    public async Task An_interval_of_zero_turns_the_purge_off()
    {
        using var purge = Purge(TimeSpan.Zero);

        purge.Committed([At(Repartition, 0, 10)]);
        await purge.InFlight;

        Assert.False(purge.Active);
        Assert.Empty(_deleter.Calls);
    }

    public void Dispose()
    {
        _counters.Dispose();
        _metrics.Dispose();
    }

    private RepartitionPurge Purge(TimeSpan interval) => new(_deleter, [Repartition], interval, _time, _metrics, _logger, "app-worker");

    private static TopicPartitionOffset At(string topic, int partition, long offset) => new(topic, partition, offset);

    /// <summary>A deletion held in flight: it has begun once <see cref="Entered"/> completes, and ends at <see cref="Release"/>.</summary>
    private sealed class Held
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Keeps each deletion as text, and can fail or hold the next one.</summary>
    private sealed class RecordingDeleter : IRecordDeleter
    {
        private readonly List<string> _calls = [];
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ErrorCode? _failNext;
        private Held? _holdNext;

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public void FailNextWith(ErrorCode code) => _failNext = code;

        public Held HoldNext() => _holdNext = new Held();

        public async Task DeleteBeforeAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
        {
            lock (_calls)
            {
                _calls.Add(string.Join(' ', offsets.OrderBy(o => o.Partition.Value).Select(o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value}")));
            }

            if (_holdNext is { } hold)
            {
                _holdNext = null;
                hold.Entered.SetResult();
                await hold.Release.Task;
            }

            if (_failNext is { } code)
            {
                _failNext = null;
                throw new KafkaException(code);
            }
        }

        public bool Disposed => WhenDisposed.IsCompleted;

        public Task WhenDisposed => _disposed.Task;

        public void Dispose() => _disposed.TrySetResult();
    }
}
