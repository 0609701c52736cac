using Customer360.Streaming.Host.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// The demo counts its contexts in Redis with a scan. At 100,000 customers on a busy Redis the scan outlasted the
/// view's wait, and the live view said "Redis did not answer" every few refreshes while Redis answered everything.
/// </summary>
public sealed class LatestReadingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_reading_that_outlasts_the_wait_leaves_the_last_value_shown_and_is_not_started_twice()
    {
        var time = new FakeTimeProvider();
        var readings = new Queue<TaskCompletionSource<long?>>();
        var started = 0;
        var latest = new LatestReading<long>(() =>
        {
            started++;
            var reading = new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously);
            readings.Enqueue(reading);
            return reading.Task;
        }, time);

        var first = latest.SampleAsync(Wait);
        readings.Dequeue().SetResult(40_000);
        Assert.Equal(40_000, await first);

        // The second count is slow: the view keeps showing 40,000 rather than "unknown".
        var second = latest.SampleAsync(Wait);
        time.Advance(Wait);
        Assert.Equal(40_000, await second);

        var third = latest.SampleAsync(Wait);
        time.Advance(Wait);
        Assert.Equal(40_000, await third);
        Assert.Equal(2, started);

        // Once it completes, the next sample shows it, even while the count it starts is slow again.
        readings.Dequeue().SetResult(100_000);
        var fourth = latest.SampleAsync(Wait);
        time.Advance(Wait);
        Assert.Equal(100_000, await fourth);
        Assert.Equal(3, started);

        // A count that answers within the wait is shown at once.
        readings.Dequeue().SetResult(100_250);
        var fifth = latest.SampleAsync(Wait);
        readings.Dequeue().SetResult(100_400);
        Assert.Equal(100_400, await fifth);
    }

    [Fact]
    public async Task A_reading_that_fails_surfaces_its_failure_once_and_the_next_sample_reads_anew()
    {
        var time = new FakeTimeProvider();
        var fail = true;
        var latest = new LatestReading<long>(() => fail ? Task.FromException<long?>(new InvalidOperationException("scan failed")) : Task.FromResult<long?>(3), time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => latest.SampleAsync(Wait));
        fail = false;
        Assert.Equal(3, await latest.SampleAsync(Wait));
    }

    [Fact]
    public async Task A_reading_that_finds_redis_unavailable_shows_unknown_instead_of_the_last_value()
    {
        var time = new FakeTimeProvider();
        long? next = 7;
        var latest = new LatestReading<long>(() => Task.FromResult(next), time);
        Assert.Equal(7, await latest.SampleAsync(Wait));

        next = null;
        Assert.Null(await latest.SampleAsync(Wait));
    }
}
