using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Tests.Cli;

public sealed class TopologyDescriptionTests
{
    [Fact]
    public void Render_ShippedCatalog_ListsTopicsByRoleWithCoPartitionGroups()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "topology", "topics.yaml");
        var text = TopologyDescription.Render(TopicCatalog.Load(path), path);

        Assert.Contains("Input topics:", text, StringComparison.Ordinal);
        Assert.Contains("Table topics:", text, StringComparison.Ordinal);
        Assert.Matches(@"c360\.relationship\.v1\s+6 partitions, compacted, co-partitioned by customer", text);
        Assert.Contains("identifier: c360.clickstream.v1, c360.mobile.v1, c360.location.v1, c360.beacon.v1, c360.identity.v1", text, StringComparison.Ordinal);
    }
}
