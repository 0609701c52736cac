using Confluent.Kafka;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>What <c>c360 lag</c> prints under its table when the table alone would mislead.</summary>
public sealed class LagReportTests
{
    [Fact]
    public void Topics_of_the_topology_the_cluster_lacks_are_listed_under_the_table()
    {
        var report = Report([Row("c360.clickstream.v1", committed: 5)], missing: ["c360-events-by-customer-repartition"]);

        var text = LagCommand.Render(report);

        Assert.Contains("  not on the cluster (not created yet?): c360-events-by-customer-repartition", text, StringComparison.Ordinal);
        Assert.DoesNotContain("committed no offset", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_with_no_committed_offset_on_any_partition_is_said_to_be_misspelt_or_new()
    {
        var text = LagCommand.Render(Report([Row("c360.clickstream.v1", committed: null), Row("c360.mobile.v1", committed: null)], missing: []));

        Assert.Contains("the group has committed no offset on these topics", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not on the cluster", text, StringComparison.Ordinal);

        // By hand: c360 run (exactly_once_v2 by default) on c360 broker, then c360 lag, which read as a misspelt or new
        // group while the processor was caught up: the embedded broker keeps no offsets committed in a transaction.
        Assert.Contains("under exactly_once_v2 on the embedded broker, which keeps no offsets committed in a transaction", text, StringComparison.Ordinal);
        Assert.Contains("c360_consumer_lag", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_that_committed_somewhere_gets_neither_line()
    {
        var text = LagCommand.Render(Report([Row("c360.clickstream.v1", committed: null), Row("c360.mobile.v1", committed: 3)], missing: []));

        Assert.DoesNotContain("committed no offset", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not on the cluster", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Partitions_whose_committed_offset_the_log_no_longer_holds_are_named_with_what_the_group_will_never_read()
    {
        var behind = Row("c360.beacon.v1", committed: 36_821) with { HighWatermark = 40_000, Lag = 3_179, LogStart = 37_331 };
        var text = LagCommand.Render(Report([behind, Row("c360.mobile.v1", committed: 3)], missing: []));

        Assert.Contains(
            "  deleted by the broker before the group read them: c360.beacon.v1[0] 510 records (committed 36821, the log starts at 37331); the lag counts them, but they cannot be read",
            text,
            StringComparison.Ordinal);
        Assert.DoesNotContain("c360.mobile.v1[0]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_whose_committed_offsets_the_logs_still_hold_gets_no_deletion_line()
    {
        var text = LagCommand.Render(Report([Row("c360.beacon.v1", committed: 5) with { LogStart = 5 }, Row("c360.mobile.v1", committed: null) with { LogStart = 7 }], missing: []));

        Assert.DoesNotContain("deleted by the broker", text, StringComparison.Ordinal);
    }

    private static PartitionLagReport Row(string topic, long? committed) =>
        new(new TopicPartition(topic, 0), committed, HighWatermark: 10, Lag: 10 - (committed ?? 0), LagSeconds: 1, LagStatus.Ok);

    private static GroupLagReport Report(IReadOnlyList<PartitionLagReport> rows, IReadOnlyList<string> missing) =>
        new("c360", AtMs: 0, HasMembers: null, LagStatus.Ok, rows, Samples: 1, missing);
}
