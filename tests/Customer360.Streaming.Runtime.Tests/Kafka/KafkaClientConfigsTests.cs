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
}
