using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

public sealed class CommittedTriggerLatencyTests
{
    [Fact]
    public void Only_triggers_seen_firing_on_a_live_event_count_each_once_with_their_commits_latency()
    {
        var latency = new CommittedTriggerLatency();
        latency.FiredOnEvent(1_000);
        latency.FiredOnEvent(1_000);
        latency.FiredOnEvent(2_000);
        latency.FiredOnEvent(500);

        // Two triggers of the event at 1,000 ms committed 120 ms later, one heard a millisecond after the commit.
        latency.Committed(heardAtMs: 1_120, latencyMs: 120);
        latency.Committed(heardAtMs: 1_121, latencyMs: 120);
        // A third trigger at 1,000 ms the consumer did not see fire on an event: a timer rule's.
        latency.Committed(heardAtMs: 1_150, latencyMs: 150);
        latency.Committed(heardAtMs: 2_300, latencyMs: 300);
        // Before the live minute.
        latency.Committed(heardAtMs: 540, latencyMs: 40);
        // A timer rule's trigger at a time no event trigger has.
        latency.Committed(heardAtMs: 3_010, latencyMs: 10);

        var live = latency.From(fromMs: 900);

        Assert.Equal(3, live.CountFrom(900));
        Assert.Equal(120, live.PercentileFrom(900, 50));
        Assert.Equal(300, live.PercentileFrom(900, 99));
    }
}
