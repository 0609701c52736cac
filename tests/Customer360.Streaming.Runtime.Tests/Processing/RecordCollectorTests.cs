using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// The record collector keeps what a commit needs and nothing more: a count of what was sent, the topic and time of each
/// output whose latency is reported (not the internal records), and the first failed delivery, which refuses the commit.
/// </summary>
public sealed class RecordCollectorTests
{
    [Fact]
    public void A_FailedDelivery_RefusesTheCommit_AndOnlyOutputsToReportedTopicsAreKept()
    {
        // Nothing listens on port 1, so every delivery times out.
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = "127.0.0.1:1", MessageTimeoutMs = 200 }).Build();
        var opened = 0;
        var collector = new KafkaRecordCollector(producer, () => opened++, topic => !topic.EndsWith("-repartition", StringComparison.Ordinal), ["app-by-key-repartition"]);

        collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "a"u8.ToArray(), 5, []));
        collector.Send(new OutgoingRecord("app-by-key-repartition", "k"u8.ToArray(), "r"u8.ToArray(), 5, []));
        collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "b"u8.ToArray(), 6, []));
        collector.Send(new OutgoingRecord("app-counts-changelog", "k"u8.ToArray(), "2"u8.ToArray(), 6, [], Partition: 0));
        var sent = collector.SentSinceCommit;
        var refused = Assert.Throws<KafkaException>(() => collector.FlushAndCheck(TimeSpan.FromSeconds(30)));
        var outputs = collector.TakeOutputs();

        Assert.Equal(4, sent);
        Assert.Equal(4, opened);
        Assert.Equal(ErrorCode.Local_MsgTimedOut, refused.Error.Code);
        Assert.Equal([new SentOutput("out", 5), new SentOutput("out", 6)], outputs);
        Assert.Equal(0, collector.SentSinceCommit);
        Assert.Null(collector.AcknowledgedOffset(new TopicPartition("app-counts-changelog", 0)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void A_record_larger_than_the_producer_sends_is_a_fatal_error_naming_its_topic_and_size(int? partition)
    {
        // It was a ProduceException, "Broker: Message size too large", which the processor took for a passing client
        // error: each replaced thread replayed to the same record and failed on it again, 45 s apart on the embedded broker.
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = "127.0.0.1:1", MessageMaxBytes = 1_000 }).Build();
        var collector = new KafkaRecordCollector(producer, () => { }, _ => true, []);

        var refused = Assert.Throws<StreamsFatalException>(
            () => collector.Send(new OutgoingRecord("app-contexts-changelog", "k"u8.ToArray(), new byte[2_000], 5, [new("origin", new byte[10])], Partition: partition)));

        Assert.Equal(
            "A record of 2,017 bytes (key, value and headers) for app-contexts-changelog is larger than the producer sends (Kafka:Properties:message.max.bytes, 1,000,000 by default): no retry can send it.",
            refused.Message);
        Assert.Equal(0, collector.SentSinceCommit);
    }

    [Fact]
    public void A_producer_queue_that_stays_full_for_a_minute_fails_the_send_as_a_client_error()
    {
        // A full queue is waited out (the integration test shows the wait); one no broker drains is the failure.
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = "127.0.0.1:1", QueueBufferingMaxMessages = 1 }).Build();
        var clock = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(7) };
        var collector = new KafkaRecordCollector(producer, () => { }, _ => true, [], clock);
        collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "a"u8.ToArray(), 5, []));

        var full = Assert.Throws<ProduceException<byte[]?, byte[]?>>(() => collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "b"u8.ToArray(), 6, [])));

        Assert.Equal(ErrorCode.Local_QueueFull, full.Error.Code);
        Assert.InRange(clock.GetUtcNow() - clock.Start, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(80));
        Assert.Equal(1, collector.SentSinceCommit);
    }

    [Fact]
    public void Records_not_acknowledged_within_the_flush_timeout_refuse_the_commit_and_say_how_many()
    {
        // The producer would keep trying for a minute; the commit gives up after its own timeout.
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = "127.0.0.1:1", MessageTimeoutMs = 60_000 }).Build();
        var collector = new KafkaRecordCollector(producer, () => { }, _ => true, []);
        collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "a"u8.ToArray(), 5, []));
        collector.Send(new OutgoingRecord("out", "k"u8.ToArray(), "b"u8.ToArray(), 6, []));

        var refused = Assert.Throws<KafkaException>(() => collector.FlushAndCheck(TimeSpan.FromMilliseconds(300)));

        Assert.Equal(ErrorCode.Local_TimedOut, refused.Error.Code);
        Assert.StartsWith("2 records not acknowledged", refused.Error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Discarding_ForgetsTheFailure_SoTheRedoneWorkCanCommit()
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = "127.0.0.1:1", MessageTimeoutMs = 200 }).Build();
        var collector = new KafkaRecordCollector(producer, () => { }, _ => true, []);
        collector.Send(new OutgoingRecord("out", null, "a"u8.ToArray(), 5, []));
        producer.Flush(TimeSpan.FromSeconds(30));

        collector.DiscardSent();
        collector.FlushAndCheck(TimeSpan.FromSeconds(30));

        Assert.Empty(collector.TakeOutputs());
        Assert.Equal(0, collector.SentSinceCommit);
    }

    [Fact]
    public void With_status_only_delivery_reports_a_changelog_record_is_still_acknowledged_at_its_offset()
    {
        // librdkafka's own mock cluster: the acknowledged offsets checkpoints rely on must survive the leaner reports.
        var config = new ProducerConfig { BootstrapServers = "unused" };
        config.Set("test.mock.num.brokers", "1");
        KafkaRecordCollector.ReportOnlyStatus(config);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var collector = new KafkaRecordCollector(producer, () => { }, _ => true, []);

        collector.Send(new OutgoingRecord("app-counts-changelog", "k"u8.ToArray(), "1"u8.ToArray(), 5, [], Partition: 0));
        collector.Send(new OutgoingRecord("app-counts-changelog", "k"u8.ToArray(), "2"u8.ToArray(), 6, [], Partition: 0));
        collector.FlushAndCheck(TimeSpan.FromSeconds(30));

        Assert.Equal(1, collector.AcknowledgedOffset(new TopicPartition("app-counts-changelog", 0)));
    }

    [Fact]
    public void A_record_sent_to_a_repartition_topic_is_awaited_on_its_partition_until_the_consumer_is_past_it()
    {
        const string Repartition = "app-by-key-repartition";
        var config = new ProducerConfig { BootstrapServers = "unused" };
        config.Set("test.mock.num.brokers", "1");
        KafkaRecordCollector.ReportOnlyStatus(config);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var collector = new KafkaRecordCollector(producer, () => { }, _ => false, [Repartition]);
        var partitions = Enumerable.Range(0, 16).Select(p => new TopicPartition(Repartition, p)).ToList();

        // Asked before anything is sent, as a partition group asks once per partition: the checks see what comes later.
        var checks = partitions.Select(p => collector.OwnOutputCheck(p)!).ToList();
        Assert.Null(collector.AcknowledgedOffset(partitions[0]));
        collector.Send(new OutgoingRecord(Repartition, "k"u8.ToArray(), "1"u8.ToArray(), 5, []));

        // Not acknowledged yet, so on no partition known: any of the topic's may still get it.
        Assert.All(checks, awaits => Assert.True(awaits(0)));
        collector.FlushAndCheck(TimeSpan.FromSeconds(30));

        // Acknowledged at offset 0 of one partition: awaited there by a consumer whose end is 0, by none past it.
        Assert.Single(checks, awaits => awaits(0));
        Assert.DoesNotContain(checks, awaits => awaits(1));
        Assert.Single(partitions, p => collector.AcknowledgedOffset(p) == 0);
        Assert.Null(collector.OwnOutputCheck(new TopicPartition("app-other-topic", 0)));
    }
}
