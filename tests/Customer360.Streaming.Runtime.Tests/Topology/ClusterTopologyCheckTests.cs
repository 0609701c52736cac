using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Runtime.Tests.Topology;

public sealed class ClusterTopologyCheckTests
{
    private static readonly TopicSpec[] Declared =
    [
        new("events.v1", TopicRole.Input, 6, CoPartitionGroup: "customer"),
        new("profiles.v1", TopicRole.Table, 6, Compacted: true, CoPartitionGroup: "customer"),
        new("out.v1", TopicRole.Output, 3),
    ];

    [Fact]
    public void Verify_ClusterMatchesDeclaration_Passes()
    {
        ClusterTopologyCheck.Verify(new Dictionary<string, int> { ["events.v1"] = 6, ["profiles.v1"] = 6, ["out.v1"] = 3, ["other"] = 1 }, Declared);
    }

    [Fact]
    public void Verify_CoPartitionedTopicsDiffer_FailsNamingGroupAndCounts()
    {
        var error = Assert.Throws<TopologyException>(() =>
            ClusterTopologyCheck.Verify(new Dictionary<string, int> { ["events.v1"] = 6, ["profiles.v1"] = 4, ["out.v1"] = 3 }, Declared));

        Assert.Contains("topic 'profiles.v1' has 4 partitions, topics.yaml declares 6", error.Message, StringComparison.Ordinal);
        Assert.Contains("co-partition group 'customer' is not co-partitioned on the cluster (events.v1=6, profiles.v1=4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TopicMissing_SaysHowToCreateIt()
    {
        var error = Assert.Throws<TopologyException>(() =>
            ClusterTopologyCheck.Verify(new Dictionary<string, int> { ["events.v1"] = 6, ["profiles.v1"] = 6 }, Declared));

        Assert.Contains("topic 'out.v1' does not exist (create it with 3 partitions)", error.Message, StringComparison.Ordinal);
    }
}
