using Customer360.Streaming.Host.Hosting;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// The multiplexer keeps a command and a subscription connection per server and raises its reports about them on the
/// thread pool, so the reports of one outage arrive interleaved and sometimes out of order.
/// </summary>
public sealed class RedisOutageTrackerTests
{
    private const string Commands = "127.0.0.1:6379/Interactive";
    private const string Subscriptions = "127.0.0.1:6379/Subscription";

    [Fact]
    public void Both_connections_failing_and_returning_is_one_outage_that_ends_when_both_are_back()
    {
        var tracker = new RedisOutageTracker();

        Assert.True(tracker.Failed(Commands, "SocketClosed"));
        Assert.False(tracker.Failed(Subscriptions, "SocketClosed"));
        Assert.False(tracker.Restored(Commands));
        Assert.Equal("SocketClosed", tracker.FailureReason);
        Assert.True(tracker.Restored(Subscriptions));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_return_handled_before_its_own_failure_leaves_no_outage_behind()
    {
        var tracker = new RedisOutageTracker();

        Assert.True(tracker.Failed(Commands, "SocketClosed"));
        Assert.True(tracker.Restored(Commands));
        Assert.False(tracker.Restored(Subscriptions));
        Assert.False(tracker.Failed(Subscriptions, "SocketClosed"));

        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_second_connection_failing_for_another_reason_keeps_the_first_reason_and_logs_nothing_new()
    {
        var tracker = new RedisOutageTracker();

        Assert.True(tracker.Failed(Commands, "SocketClosed"));
        Assert.False(tracker.Failed(Subscriptions, "UnableToConnect"));

        Assert.Equal("SocketClosed", tracker.FailureReason);
    }

    [Fact]
    public void A_failed_first_attempt_ends_when_a_connection_comes_back()
    {
        var tracker = new RedisOutageTracker();

        Assert.True(tracker.FailedAtStartup("UnableToConnect"));
        Assert.False(tracker.Failed(Commands, "UnableToConnect"));
        Assert.True(tracker.Restored(Commands));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void An_outage_after_a_return_is_a_new_outage()
    {
        var tracker = new RedisOutageTracker();
        tracker.Failed(Commands, "SocketClosed");
        tracker.Restored(Commands);

        Assert.True(tracker.Failed(Commands, "AuthenticationFailure"));
        Assert.Equal("AuthenticationFailure", tracker.FailureReason);
    }
}
