using System.Diagnostics.Metrics;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// The demo's commit line covers the live minute only. Its start is known late: it moves forward after each catch-up
/// round, and the rounds' commits (thousands of changes, 100–500 ms each) must not count, though they came after the
/// first round's start.
/// </summary>
public sealed class DemoTriggerReportTests
{
    [Fact]
    public void Commits_of_the_catch_up_rounds_do_not_count_toward_the_live_minutes_commit_line()
    {
        using var live = new LiveReport(1_000);
        var (clock, report) = (live.Clock, live.Report);
        var commits = live.Meter.CreateHistogram<double>("c360.commit.duration");

        // The first round was taken in: the live minute might start here.
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        commits.Record(480);

        // The last round was taken in: the live minute starts here.
        clock.Advance(TimeSpan.FromSeconds(1));
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        commits.Record(12);
        commits.Record(14);

        Assert.Equal("commits in the live minute: p50 12.0 ms p99 14.0 ms over 2 commits (the stream thread waits for each)", report.CommitLine());
    }

    [Fact]
    public void Commits_recorded_by_another_processor_in_the_same_process_do_not_count()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000));
        using var ours = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var another = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var report = new DemoTriggerReport(clock, ours.GetRequiredService<IMeterFactory>());
        // Both processors' meters carry the product's meter name, as two hosts in one test process do. They are the
        // processor's own instruments: a metrics exporter scraping meanwhile in this process sees them, and one made
        // here without the unit was exported as another family (c360_commit_duration) and failed the README's check.
        using var ourMetrics = new StreamsMetrics(ours.GetRequiredService<IMeterFactory>());
        using var theirMetrics = new StreamsMetrics(another.GetRequiredService<IMeterFactory>());
        var ourCommits = ourMetrics.CommitDuration;
        var theirCommits = theirMetrics.CommitDuration;

        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        ourCommits.Record(12);
        theirCommits.Record(3);
        ourCommits.Record(14);

        Assert.Equal("commits in the live minute: p50 12.0 ms p99 14.0 ms over 2 commits (the stream thread waits for each)", report.CommitLine());
    }

    [Fact]
    public void The_record_age_line_gives_each_stage_its_live_records_ages_in_the_order_asked()
    {
        using var live = new LiveReport(100_000);
        var (clock, report) = (live.Clock, live.Report);
        var ages = live.Meter.CreateHistogram<double>("c360.record.age");
        KeyValuePair<string, object?> Stage(string name) => new("stage", name);

        Assert.Null(report.RecordAgeLine("identity", "context"));
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // A replayed record, minutes old: its event is older than the live minute, so it does not count.
        ages.Record(240_000, Stage("identity"));
        clock.Advance(TimeSpan.FromSeconds(1));
        ages.Record(8, Stage("identity"));
        ages.Record(6, Stage("identity"));
        ages.Record(21, Stage("context"));

        Assert.Equal("record age as each stage took it: identity p50 6 ms p99 8 ms; context p50 21 ms p99 21 ms", report.RecordAgeLine("identity", "context"));
    }

    [Fact]
    public void The_thread_time_line_gives_each_loop_phases_share_of_the_live_minute_only()
    {
        using var live = new LiveReport(100_000);
        var (clock, report) = (live.Clock, live.Report);
        var threadTime = live.Meter.CreateCounter<double>("c360.stream_thread.time");
        KeyValuePair<string, object?> Phase(string name) => new("phase", name);

        Assert.Null(report.ThreadTimeLine());
        // The history's rounds: a busy thread, before the live minute.
        threadTime.Add(30, Phase("process"));
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        threadTime.Add(0.8, Phase("poll"));
        threadTime.Add(0.1, Phase("process"));
        threadTime.Add(0.1, Phase("commit"));
        threadTime.Add(0, Phase("restore"));

        Assert.Equal("stream thread in the live minute: poll 80.0 %, commit 10.0 %, process 10.0 %, restore 0.0 %", report.ThreadTimeLine());
    }

    [Fact]
    public void The_commit_step_line_gives_each_steps_live_p50_and_p99_the_largest_share_first()
    {
        using var live = new LiveReport(100_000);
        var (clock, report) = (live.Clock, live.Report);
        var steps = live.Meter.CreateHistogram<double>("c360.commit.step.duration");
        KeyValuePair<string, object?> Step(string name) => new("step", name);

        // A catch-up round's slow commit, before the live minute: it does not count.
        steps.Record(400, Step("send_offsets_to_transaction"));
        Assert.Null(report.CommitStepLine());
        clock.Advance(TimeSpan.FromSeconds(1));
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        steps.Record(2, Step("send_offsets_to_transaction"));
        steps.Record(4, Step("send_offsets_to_transaction"));
        steps.Record(10, Step("commit_transaction"));
        steps.Record(30, Step("commit_transaction"));
        steps.Record(0.5, Step("begin_transaction"));

        Assert.Equal(
            "commit steps in the live minute (p50 / p99): commit_transaction 10.0 / 30.0 ms, send_offsets_to_transaction 2.0 / 4.0 ms, begin_transaction 0.5 / 0.5 ms",
            report.CommitStepLine());
    }

    [Fact]
    public void The_commit_line_says_how_many_of_the_live_commits_a_trigger_brought_forward()
    {
        using var live = new LiveReport(100_000);
        var (clock, report) = (live.Clock, live.Report);
        var commits = live.Meter.CreateHistogram<double>("c360.commit.duration");
        var prompted = live.Meter.CreateCounter<long>("c360.commits.prompted");

        // A catch-up round's, before the live minute: it does not count.
        prompted.Add(1);
        commits.Record(300);
        clock.Advance(TimeSpan.FromSeconds(1));
        report.LiveFromMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        clock.Advance(TimeSpan.FromSeconds(1));
        prompted.Add(1);
        commits.Record(12);
        prompted.Add(1);
        commits.Record(14);
        commits.Record(16);

        Assert.Equal(
            "commits in the live minute: p50 14.0 ms p99 16.0 ms over 3 commits, 2 brought forward by a trigger or store event (the stream thread waits for each)",
            report.CommitLine());
    }

    /// <summary>A report listening to a processor's meters, on a fake clock; <see cref="Meter"/> records as the processor would.</summary>
    private sealed class LiveReport : IDisposable
    {
        private readonly ServiceProvider _processor = new ServiceCollection().AddMetrics().BuildServiceProvider();

        public LiveReport(long startMs)
        {
            Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(startMs));
            var meters = _processor.GetRequiredService<IMeterFactory>();
            Report = new DemoTriggerReport(Clock, meters);
            Meter = meters.Create($"test-{Guid.NewGuid():N}");
        }

        public FakeTimeProvider Clock { get; }

        public DemoTriggerReport Report { get; }

        public Meter Meter { get; }

        public void Dispose()
        {
            Report.Dispose();
            _processor.Dispose();
        }
    }
}
