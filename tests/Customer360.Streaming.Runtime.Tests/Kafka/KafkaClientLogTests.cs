using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

public sealed class KafkaClientLogTests
{
    private const string Text = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused";

    private static LogMessage Refused(string client = "admin-1", string facility = "FAIL", SyslogLevel level = SyslogLevel.Error) => new(client, level, facility, Text);

    [Fact]
    public void A_client_repeating_itself_is_logged_once_per_quiet_period_saying_how_many_lines_it_held_back()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var write = KafkaClientLog.To(logger, clock);

        // What an admin client did against a closed port: a line every 50 ms, for ten seconds.
        for (var i = 0; i < 200; i++)
        {
            write(null!, Refused());
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        write(null!, Refused());

        Assert.Equal(
            [
                (LogLevel.Warning, $"Kafka client admin-1 FAIL: {Text}"),
                (LogLevel.Warning, $"Kafka client admin-1 FAIL: {Text} (199 more like it held back before this one)"),
            ],
            logger.Entries);
    }

    [Fact]
    public void Each_client_and_facility_has_its_own_quiet_period_and_librdkafkas_levels_map_to_the_processors()
    {
        var logger = new RecordingLogger();
        var write = KafkaClientLog.To(logger, new FakeTimeProvider());

        write(null!, Refused());
        write(null!, Refused(facility: "ERROR"));
        write(null!, Refused(client: "consumer-2"));
        write(null!, Refused(client: "consumer-3", level: SyslogLevel.Warning));
        write(null!, Refused(client: "consumer-4", level: SyslogLevel.Notice));
        write(null!, Refused(client: "consumer-5", level: SyslogLevel.Info));

        Assert.Equal([LogLevel.Warning, LogLevel.Warning, LogLevel.Warning, LogLevel.Warning, LogLevel.Information, LogLevel.Debug], logger.Entries.Select(e => e.Level));
    }

    [Fact]
    public void A_workers_client_errors_are_logged_once_per_code_and_quiet_period_and_a_fatal_one_always()
    {
        var clock = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var report = KafkaClientLog.Errors(logger, clock, "app-StreamThread-1");

        // A consumer whose broker went away: a refused reconnect every 50 ms, for ten seconds, and all brokers down.
        for (var i = 0; i < 200; i++)
        {
            report(null!, new Error(ErrorCode.Local_Transport, "refused"));
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        report(null!, new Error(ErrorCode.Local_Transport, "refused"));
        report(null!, new Error(ErrorCode.Local_AllBrokersDown, "all down"));
        report(null!, new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true));
        report(null!, new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true));

        Assert.Equal(
            [
                "Worker app-StreamThread-1 Kafka client error Local_Transport: refused",
                "Worker app-StreamThread-1 Kafka client error Local_Transport: refused (199 more like it held back before this one)",
                "Worker app-StreamThread-1 Kafka client error Local_AllBrokersDown: all down",
                "Worker app-StreamThread-1 Kafka client error Local_Fatal: fenced",
                "Worker app-StreamThread-1 Kafka client error Local_Fatal: fenced",
            ],
            logger.Entries.Select(e => e.Message));
    }

    [Theory]
    [InlineData(ErrorCode.Local_Transport, "no Kafka broker answered at 127.0.0.1:1 (Local: Broker transport failure)")]
    [InlineData(ErrorCode.Local_AllBrokersDown, "no Kafka broker answered at 127.0.0.1:1 (Local: All broker connections are down)")]
    [InlineData(ErrorCode.UnknownTopicOrPart, "Broker: Unknown topic or partition")]
    public void A_failure_to_reach_the_cluster_names_the_address_tried(ErrorCode code, string expected) =>
        Assert.Equal(expected, KafkaFailure.Describe(new KafkaException(code), "127.0.0.1:1"));
}
