using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

public sealed class KafkaClientConfigsTests
{
    private static readonly KafkaOptions Options = new()
    {
        BootstrapServers = "localhost:9092",
        ApplicationId = "app",
        FetchWaitMaxMs = 10,
        Properties = new() { ["security.protocol"] = "SASL_SSL", ["partitioner"] = "consistent", ["partition.assignment.strategy"] = "cooperative-sticky" },
    };

    [Fact]
    public void Producer_AlwaysUsesJavaCompatibleMurmur2_EvenIfPropertiesSaySomethingElse()
    {
        var config = KafkaClientConfigs.Producer(Options, "p");

        Assert.Equal(Partitioner.Murmur2Random, config.Partitioner);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal("SASL_SSL", config.Get("security.protocol"));
    }

    [Fact]
    public void Consumer_UsesRangeAssignorAndManualCommits_EvenIfPropertiesSaySomethingElse()
    {
        var config = KafkaClientConfigs.Consumer(Options, "group", "c");

        Assert.Equal(PartitionAssignmentStrategy.Range, config.PartitionAssignmentStrategy);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(10, config.FetchWaitMaxMs);
        Assert.Equal("group", config.GroupId);
        Assert.Equal("SASL_SSL", config.Get("security.protocol"));
    }

    /// <summary>
    /// librdkafka postpones fetching a partition for <c>fetch.queue.backoff.ms</c> (1,000 by default) while its queue of
    /// prefetched records is over <c>queued.min.messages</c>. A stream thread starting on a backlog has that queue full
    /// of input records, and a context task waiting for its own repartition output waited a second for the next fetch
    /// of it (the client's debug log: "Fetch backoff for 1000ms: Local: Queue full"), holding every task meanwhile.
    /// </summary>
    [Fact]
    public void Consumer_RetriesAFullFetchQueueAfterAFetchWait_NotASecond_UnlessPropertiesSaySo()
    {
        Assert.Equal("10", KafkaClientConfigs.Consumer(Options, "group", "c").Get("fetch.queue.backoff.ms"));

        var chosen = new KafkaOptions { BootstrapServers = "localhost:9092", Properties = new() { ["fetch.queue.backoff.ms"] = "250" } };
        Assert.Equal("250", KafkaClientConfigs.Consumer(chosen, "group", "c").Get("fetch.queue.backoff.ms"));
    }
}
