using Customer360.Streaming.Host.Hosting;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// The multiplexer reports the command connection's failure and return on the thread pool and often reconnects within
/// a millisecond, so both reports may run at once, in either order, each finding the connection back.
/// </summary>
public sealed class RedisOutageTrackerTests
{
    [Fact]
    public void An_outage_begins_with_a_failure_found_while_commands_cannot_be_sent_and_ends_with_a_return_found_when_they_can()
    {
        var tracker = new RedisOutageTracker();

        Assert.Equal(RedisOutageChange.Began, tracker.Failed("SocketClosed", canSendCommands: false));
        Assert.False(tracker.Restored(canSendCommands: false));
        Assert.Equal("SocketClosed", tracker.FailureReason);
        Assert.True(tracker.Restored(canSendCommands: true));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_second_failure_during_an_outage_keeps_the_first_reason()
    {
        var tracker = new RedisOutageTracker();

        tracker.Failed("UnableToConnect", canSendCommands: false);

        Assert.Equal(RedisOutageChange.None, tracker.Failed("SocketClosed", canSendCommands: false));
        Assert.Equal("UnableToConnect", tracker.FailureReason);
    }

    [Fact]
    public void A_failure_found_with_the_connection_back_is_a_blip_that_leaves_no_outage_standing()
    {
        // What RedisReconnectLogTests saw in CI at 12b2ae5: a report handled after the reconnect left 'SocketClosed'
        // standing with Redis answering.
        var tracker = new RedisOutageTracker();

        Assert.Equal(RedisOutageChange.Blip, tracker.Failed("SocketClosed", canSendCommands: true));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_return_handled_before_its_own_failure_makes_the_pair_one_blip()
    {
        var tracker = new RedisOutageTracker();

        Assert.False(tracker.Restored(canSendCommands: true));
        Assert.Equal(RedisOutageChange.Blip, tracker.Failed("SocketClosed", canSendCommands: true));
        Assert.Null(tracker.FailureReason);
    }

    [Fact]
    public void A_return_at_startup_without_a_failure_before_it_does_not_hide_the_next_outage()
    {
        // The multiplexer reports its first connection as a return, with no failure reported before it.
        var tracker = new RedisOutageTracker();
        tracker.Failed("UnableToConnect", canSendCommands: false);
        Assert.True(tracker.Restored(canSendCommands: true));
        Assert.False(tracker.Restored(canSendCommands: true));

        Assert.Equal(RedisOutageChange.Began, tracker.Failed("SocketClosed", canSendCommands: false));
        Assert.Equal("SocketClosed", tracker.FailureReason);
    }
}
