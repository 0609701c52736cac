using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// When a request for a commit soon brings the thread's commit forward: under exactly_once_v2 (where the commit is what
/// shows a trigger to its consumers), once the prompt interval has passed, for a record processed while still fresh.
/// </summary>
public sealed class PromptCommitTests
{
    private const long NowMs = 1_790_000_000_000;
    private static readonly TimeSpan Prompt = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.FromUnixTimeMilliseconds(NowMs));

    [Fact]
    public void A_fresh_request_commits_once_the_prompt_interval_has_passed_since_the_last_commit()
    {
        var exactlyOnce = new PromptCommit(commitRevealsOutputs: true, Prompt, Interval, Clock);

        Assert.False(exactlyOnce.Due(NowMs - 20, TimeSpan.FromMilliseconds(49)));
        Assert.True(exactlyOnce.Due(NowMs - 20, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Without_a_request_only_the_commit_interval_commits()
    {
        var exactlyOnce = new PromptCommit(commitRevealsOutputs: true, Prompt, Interval, Clock);

        Assert.False(exactlyOnce.Due(null, TimeSpan.FromMilliseconds(99)));
    }

    [Fact]
    public void Under_at_least_once_a_request_changes_nothing_outputs_are_visible_once_sent()
    {
        var atLeastOnce = new PromptCommit(commitRevealsOutputs: false, Prompt, Interval, Clock);

        Assert.False(atLeastOnce.Due(NowMs, TimeSpan.FromMilliseconds(99)));
    }

    [Fact]
    public void A_request_made_on_a_record_older_than_the_commit_interval_waits_for_the_interval()
    {
        var exactlyOnce = new PromptCommit(commitRevealsOutputs: true, Prompt, Interval, Clock);

        // A thread working off a backlog: its records are seconds old, and early commits would only slow it further.
        Assert.False(exactlyOnce.Due(NowMs - 101, TimeSpan.FromMilliseconds(99)));
        Assert.True(exactlyOnce.Due(NowMs - 100, TimeSpan.FromMilliseconds(99)));
        // A record dated ahead of the wall clock (a device's clock) counts as fresh.
        Assert.True(exactlyOnce.Due(NowMs + 5_000, TimeSpan.FromMilliseconds(60)));
    }

    [Fact]
    public void A_prompt_interval_longer_than_the_commit_interval_is_capped_at_it()
    {
        var exactlyOnce = new PromptCommit(commitRevealsOutputs: true, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), Clock);

        Assert.True(exactlyOnce.Due(NowMs, TimeSpan.FromSeconds(1)));
    }
}
