using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// Readiness in the log: one line when it changes, none per probe. ASP.NET's health check service logged an error for
/// every unhealthy check of every probe, so a readiness probe every few seconds during a Redis outage wrote a line
/// each time, on top of the outage's own line.
/// </summary>
public sealed class ReadinessLogTests
{
    private static readonly HealthReport Consuming = Report(("processor", HealthStatus.Healthy, "consuming"), ("redis", HealthStatus.Healthy, "ping 0.3 ms"));

    [Fact]
    public async Task Each_change_of_readiness_is_logged_once_and_repeated_reports_are_not()
    {
        var logger = new RecordingLogger<ReadinessLog>();
        var clock = new FakeTimeProvider();
        var log = new ReadinessLog(logger, clock);
        var redisDown = Report(("processor", HealthStatus.Healthy, "consuming"), ("redis", HealthStatus.Unhealthy, "not connected (UnableToConnect)"));

        await log.PublishAsync(Report(("processor", HealthStatus.Unhealthy, "not consuming yet (Joining)"), ("redis", HealthStatus.Healthy, "ping 1.0 ms")), TestContext.Current.CancellationToken);
        await log.PublishAsync(Consuming, TestContext.Current.CancellationToken);
        await log.PublishAsync(Report(("processor", HealthStatus.Healthy, "consuming"), ("redis", HealthStatus.Healthy, "ping 0.9 ms")), TestContext.Current.CancellationToken);
        await log.PublishAsync(redisDown, TestContext.Current.CancellationToken);
        clock.Advance(ReadinessLog.Period);
        await log.PublishAsync(redisDown, TestContext.Current.CancellationToken);
        clock.Advance(ReadinessLog.Period);
        await log.PublishAsync(redisDown, TestContext.Current.CancellationToken);
        clock.Advance(ReadinessLog.Period);
        await log.PublishAsync(Consuming, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                (LogLevel.Information, "Not ready yet: processor: not consuming yet (Joining)"),
                (LogLevel.Information, "Ready"),
                (LogLevel.Warning, "No longer ready: redis: not connected (UnableToConnect)"),
                // At the level of the loss, so a log filtered to warnings (the demo's) shows the outage end as well as
                // its start; before, the end was an Information line that such a log left out.
                (LogLevel.Warning, "Ready again after 15.0 s not ready"),
            ],
            logger.Recorded.Entries);
    }

    [Fact]
    public async Task A_different_check_failing_while_not_ready_is_logged_as_still_not_ready_and_a_changing_description_of_the_same_one_is_not()
    {
        // By hand, Redis stopped for 15 s under the demo logged 'No longer ready' a second time when Redis came back
        // and the processor still held: it read as a second outage.
        var logger = new RecordingLogger<ReadinessLog>();
        var clock = new FakeTimeProvider();
        var log = new ReadinessLog(logger, clock);
        await log.PublishAsync(Consuming, TestContext.Current.CancellationToken);

        await log.PublishAsync(Report(("processor", HealthStatus.Unhealthy, "3 partitions paused, waiting to retry: registry"), ("redis", HealthStatus.Healthy, "ping 0.3 ms")), TestContext.Current.CancellationToken);
        clock.Advance(ReadinessLog.Period);
        await log.PublishAsync(Report(("processor", HealthStatus.Unhealthy, "5 partitions paused, waiting to retry: registry"), ("redis", HealthStatus.Healthy, "ping 0.3 ms")), TestContext.Current.CancellationToken);
        clock.Advance(ReadinessLog.Period);
        await log.PublishAsync(Report(("processor", HealthStatus.Unhealthy, "5 partitions paused, waiting to retry: registry"), ("redis", HealthStatus.Unhealthy, "not connected (SocketFailure)")), TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                "Ready",
                "No longer ready: processor: 3 partitions paused, waiting to retry: registry",
                "Still not ready after 10.0 s: processor: 5 partitions paused, waiting to retry: registry; redis: not connected (SocketFailure)",
            ],
            logger.Recorded.Entries.Select(e => e.Message));
    }

    [Fact]
    public async Task A_spell_of_not_ready_that_lasts_is_logged_every_half_minute_with_how_long_and_its_current_reasons()
    {
        // By hand, `c360 run` restarted against the embedded broker logged 'Not ready yet: processor: not consuming yet
        // (Joining)' and then nothing for 40 s while the group coordinator waited out the previous member's session, and
        // a Schema Registry outage logged 'No longer ready' and nothing more until it ended: long waits showed no progress.
        var logger = new RecordingLogger<ReadinessLog>();
        var clock = new FakeTimeProvider();
        var log = new ReadinessLog(logger, clock);
        var joining = Report(("processor", HealthStatus.Unhealthy, "not consuming yet (Joining)"), ("redis", HealthStatus.Healthy, "ping 1.0 ms"));

        for (var report = 0; report < 9; report++)
        {
            await log.PublishAsync(joining, TestContext.Current.CancellationToken);
            clock.Advance(ReadinessLog.Period);
        }

        await log.PublishAsync(Consuming, TestContext.Current.CancellationToken);
        for (var paused = 1; paused <= 8; paused++)
        {
            await log.PublishAsync(Report(("processor", HealthStatus.Unhealthy, $"{paused} partitions paused, waiting to retry: registry"), ("redis", HealthStatus.Healthy, "ping 0.3 ms")), TestContext.Current.CancellationToken);
            clock.Advance(ReadinessLog.Period);
        }

        Assert.Equal(
            [
                (LogLevel.Information, "Not ready yet: processor: not consuming yet (Joining)"),
                (LogLevel.Information, "Not ready yet after 30.0 s: processor: not consuming yet (Joining)"),
                (LogLevel.Information, "Ready"),
                (LogLevel.Warning, "No longer ready: processor: 1 partitions paused, waiting to retry: registry"),
                (LogLevel.Warning, "Still not ready after 30.0 s: processor: 7 partitions paused, waiting to retry: registry"),
            ],
            logger.Recorded.Entries);
    }

    [Fact]
    public async Task A_check_that_threw_is_named_with_its_exception_message()
    {
        var logger = new RecordingLogger<ReadinessLog>();
        var log = new ReadinessLog(logger, TimeProvider.System);
        var threw = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["redis"] = new(HealthStatus.Unhealthy, null, TimeSpan.Zero, new TimeoutException("Timeout awaiting response"), null),
            },
            TimeSpan.Zero);

        await log.PublishAsync(threw, TestContext.Current.CancellationToken);

        Assert.Equal("Not ready yet: redis: Timeout awaiting response", Assert.Single(logger.Recorded.Entries).Message);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status, string Description)[] checks) => new(
        checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, c.Description, TimeSpan.Zero, null, null)),
        TimeSpan.Zero);
}
