using Customer360.Streaming.Host.Hosting;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// The multiplexer reports its connections' failures and returns on the thread pool, in any order, often after the
/// state they describe has changed again; the tracker follows whether commands can be sent when a report is handled.
/// </summary>
public sealed class RedisOutageTrackerTests
{
    [Fact]
    public void An_outage_begins_with_a_failure_found_while_commands_cannot_be_sent_and_ends_with_a_report_found_when_they_can()
    {
        var tracker = new RedisOutageTracker();

        Assert.Equal(RedisOutageChange.Began, tracker.Observe(canSendCommands: false, "SocketClosed"));
        Assert.Equal(RedisOutageChange.None, tracker.Observe(canSendCommands: false, "UnableToConnect"));
        Assert.Equal("SocketClosed", tracker.FailureReason);
        Assert.Equal(RedisOutageChange.Ended, tracker.Observe(canSendCommands: true, failure: null));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_failure_report_handled_after_commands_flow_again_begins_no_outage()
    {
        // What RedisReconnectLogTests saw in CI at 12b2ae5: a failure report handled after the return left
        // 'SocketClosed' standing with Redis answering.
        var tracker = new RedisOutageTracker();
        tracker.Observe(canSendCommands: false, "SocketClosed");
        tracker.Observe(canSendCommands: true, failure: null);

        Assert.Equal(RedisOutageChange.None, tracker.Observe(canSendCommands: true, "SocketClosed"));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_return_found_while_commands_still_cannot_be_sent_ends_nothing()
    {
        // The subscription connection came back first.
        var tracker = new RedisOutageTracker();
        tracker.Observe(canSendCommands: false, "SocketClosed");

        Assert.Equal(RedisOutageChange.None, tracker.Observe(canSendCommands: false, failure: null));
        Assert.Equal("SocketClosed", tracker.FailureReason);
    }

    [Fact]
    public void Returns_at_startup_with_no_failure_reported_before_them_do_not_hide_the_next_outage()
    {
        var tracker = new RedisOutageTracker();
        tracker.Observe(canSendCommands: false, "UnableToConnect");
        Assert.Equal(RedisOutageChange.Ended, tracker.Observe(canSendCommands: true, failure: null));
        Assert.Equal(RedisOutageChange.None, tracker.Observe(canSendCommands: true, failure: null));

        Assert.Equal(RedisOutageChange.Began, tracker.Observe(canSendCommands: false, "SocketClosed"));
        Assert.Equal("SocketClosed", tracker.FailureReason);
    }

    [Fact]
    public void A_return_found_while_commands_cannot_be_sent_does_not_begin_an_outage_without_a_failure()
    {
        var tracker = new RedisOutageTracker();

        Assert.Equal(RedisOutageChange.None, tracker.Observe(canSendCommands: false, failure: null));
        Assert.Null(tracker.FailureReason);
    }
}
