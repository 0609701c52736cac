using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Tests;

public sealed class StoreCatalogTests
{
    [Fact]
    public void The_shipped_stores_yaml_loads()
    {
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, StoreCatalog.FileName));

        Assert.NotEmpty(stores.Stores);
        Assert.All(stores.Stores, s => Assert.True(s.NearRadiusMeters > s.RadiusMeters));
    }

    [Fact]
    public void An_invalid_file_is_rejected_as_a_whole_naming_every_problem()
    {
        const string yaml = """
            stores:
              - id: a
                latitude: 95
                longitude: 13
                radiusMeters: 50
                nearRadiusMeters: 40
              - id: a
                latitude: 52
                longitude: 13
                radiusMeters: 0
                nearRadiusMeters: 300
            """;

        var error = Assert.Throws<TopologyException>(() => StoreCatalog.Parse(yaml, "stores.yaml"));

        Assert.Contains("stores[0] 'a': 'latitude' must be between -90 and 90", error.Message, StringComparison.Ordinal);
        Assert.Contains("stores[0] 'a': 'nearRadiusMeters' must be above 'radiusMeters'", error.Message, StringComparison.Ordinal);
        Assert.Contains("stores[1] 'a': 'id' is declared twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("stores[1] 'a': 'radiusMeters' must be above 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Product_topics_are_found_by_role_and_contract_and_missing_ones_are_all_named()
    {
        var catalog = TopicCatalog.Parse("""
            topics:
              - name: my.clicks
                role: input
                valueSchema: clickstream-event
                partitions: 3
            """, "topics.yaml");

        var error = Assert.Throws<TopologyException>(() => ProductTopicNames.FromCatalog(catalog));

        Assert.Contains("input topic with valueSchema mobile-app-event, found 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("output topic with valueSchema customer-context, found 0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("clickstream-event", error.Message, StringComparison.Ordinal);
    }
}
