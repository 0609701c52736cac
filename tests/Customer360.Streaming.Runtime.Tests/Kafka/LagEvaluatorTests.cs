using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

public sealed class LagEvaluatorTests
{
    [Fact]
    public void Caught_up_anywhere_in_the_window_is_ok()
    {
        Assert.Equal(LagStatus.Ok, Evaluate([(0, 100, 120), (10, 120, 120), (20, 120, 150)], members: true));
    }

    [Fact]
    public void Lag_shrinking_while_commits_advance_is_ok_and_never_shrinking_is_a_warning()
    {
        Assert.Equal(LagStatus.Ok, Evaluate([(0, 100, 200), (10, 150, 220), (20, 190, 230)], members: true));
        Assert.Equal(LagStatus.Warn, Evaluate([(0, 100, 200), (10, 150, 260), (20, 190, 310)], members: true));
    }

    [Fact]
    public void An_offset_going_backwards_is_a_rewind()
    {
        Assert.Equal(LagStatus.Rewind, Evaluate([(0, 100, 200), (10, 50, 200), (20, 60, 200)], members: true));
    }

    [Fact]
    public void An_offset_standing_still_with_lag_is_a_stall_with_members_and_a_stop_without()
    {
        (long, long, long)[] standing = [(0, 100, 200), (10, 100, 210), (20, 100, 230)];

        Assert.Equal(LagStatus.Stall, Evaluate(standing, members: true));
        Assert.Equal(LagStatus.Stop, Evaluate(standing, members: false));
    }

    [Fact]
    public void Commits_that_stopped_longer_ago_than_they_lasted_are_a_stop()
    {
        // Commits moved from 0 s to 10 s, then nothing for 30 s.
        var window = new List<LagSample> { new(0, 100, 300), new(10_000, 150, 360), new(20_000, 150, 370), new(40_000, 150, 390) };

        Assert.Equal(LagStatus.Stop, LagEvaluator.Partition(window, nowMs: 40_000, groupHasMembers: false));
        Assert.Equal(LagStatus.Warn, LagEvaluator.Partition(window[..2], nowMs: 10_000, groupHasMembers: false));
    }

    [Fact]
    public void The_group_is_as_bad_as_its_worst_partition()
    {
        Assert.Equal(LagStatus.Stop, LagEvaluator.Group([LagStatus.Ok, LagStatus.Stop, LagStatus.Warn]));
        Assert.Equal(LagStatus.Ok, LagEvaluator.Group([]));
    }

    private static LagStatus Evaluate((long Seconds, long Committed, long High)[] samples, bool members) =>
        LagEvaluator.Partition([.. samples.Select(s => new LagSample(s.Seconds * 1_000, s.Committed, s.High))], samples[^1].Seconds * 1_000, members);
}
