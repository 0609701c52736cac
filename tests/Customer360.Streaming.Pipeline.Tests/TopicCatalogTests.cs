using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests;

public sealed class TopicCatalogTests
{
    [Fact]
    public void Load_ShippedContracts_PassLintAndCoverEveryTopicWithAValueSchema()
    {
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var topics = TopicCatalog.Load(ShippedTopicsFile());

        var declared = topics.Topics.Where(t => t.ValueSchema is not null).Select(t => t.ValueSchema!).ToHashSet();
        Assert.Equal(12, declared.Count);
        Assert.Subset(contracts.Names.ToHashSet(), declared);
        Assert.All(contracts.Names, name => Assert.StartsWith("customer360.", contracts.Latest(name).Schema.Namespace, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ShippedTopicsYaml_DeclaresEveryArchitectureTopicWithVersionSuffix()
    {
        var catalog = TopicCatalog.Load(ShippedTopicsFile());

        string[] expected =
        [
            "c360.clickstream.v1", "c360.mobile.v1", "c360.location.v1", "c360.beacon.v1", "c360.relationship.v1",
            "c360.identity.v1", "c360.trigger-responses.v1", "c360.triggers.v1", "c360.store-events.v1",
            "c360.decisions.v1", "c360.context.v1", "c360.dlq.v1",
        ];
        Assert.Subset(catalog.Topics.Select(t => t.Name).ToHashSet(), expected.ToHashSet());
        Assert.True(catalog.Topics.Single(t => t.Name == "c360.relationship.v1").Compacted);
        Assert.True(catalog.Topics.Single(t => t.Name == "c360.identity.v1").Compacted);
        Assert.Equal(TopicRole.Table, catalog.Topics.Single(t => t.Name == "c360.relationship.v1").Role);
        Assert.Equal("c360.dlq.v1", Assert.Single(catalog.WithRole(TopicRole.DeadLetter)).Name);
    }

    [Fact]
    public void Load_ShippedTopicsYaml_CoPartitionGroupsHaveEqualCounts()
    {
        var catalog = TopicCatalog.Load(ShippedTopicsFile());

        Assert.Contains("customer", catalog.CoPartitionGroups.Keys);
        Assert.Contains("identifier", catalog.CoPartitionGroups.Keys);
        foreach (var (_, topics) in catalog.CoPartitionGroups)
        {
            Assert.Single(topics.Select(t => t.Partitions).Distinct());
        }
    }

    [Fact]
    public void Parse_SeveralMistakes_ListsEveryOneInOneError()
    {
        const string yaml = """
            topics:
              - name: ok.v1
                role: input
                partitions: 3
                copartition: customer
              - name: ""
                role: input
                partitions: 3
              - name: bad-role.v1
                role: sideways
                partitions: 3
              - name: zero.v1
                role: output
                partitions: 0
              - name: ok.v1
                role: input
                partitions: 3
              - name: other.v1
                role: table
                partitions: 4
                copartition: customer
            """;

        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse(yaml, "test.yaml"));

        Assert.StartsWith("test.yaml is invalid:", error.Message, StringComparison.Ordinal);
        Assert.Contains("topics[1]: 'name' must be", error.Message, StringComparison.Ordinal);
        Assert.Contains("topics[2] 'bad-role.v1': 'role' must be one of", error.Message, StringComparison.Ordinal);
        Assert.Contains("topics[3] 'zero.v1': 'partitions' must be between 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("topics[4] 'ok.v1': 'name' is declared twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("co-partition group 'customer' mixes partition counts (ok.v1=3, other.v1=4)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AFolder_SaysItIsAFolder()
    {
        // `c360 rules validate topology/` said the folder "does not exist", which sent people looking for a typo.
        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Load(RepositoryLayout.TopologyDirectory));

        Assert.Equal($"Topic catalog '{RepositoryLayout.TopologyDirectory}' is a folder, not a file.", error.Message);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("spaced name")]
    public void Parse_NameKafkaRefuses_IsRejected(string name)
    {
        // "." and ".." are made of allowed characters, yet Kafka refuses them as topic names.
        var yaml = $"""
            topics:
              - name: "{name}"
                role: input
                partitions: 3
            """;

        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse(yaml, "test.yaml"));

        Assert.Contains($"topics[0] '{name}': 'name' must be 1-249 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("input, table")]
    public void Parse_RoleThatIsANumberOrAList_IsRejected(string role)
    {
        var yaml = $"""
            topics:
              - name: numbered.v1
                role: "{role}"
                partitions: 3
            """;

        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse(yaml, "test.yaml"));

        Assert.Contains($"topics[0] 'numbered.v1': 'role' must be one of input, table, output, internal, deadletter (was '{role}')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDeadLetterTopics_IsRejected()
    {
        const string yaml = """
            topics:
              - { name: dlq-a.v1, role: deadletter, partitions: 1 }
              - { name: dlq-b.v1, role: deadletter, partitions: 1 }
            """;

        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse(yaml, "dlq.yaml"));

        Assert.Contains("more than one topic has role deadletter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedYaml_NamesFileAndLine()
    {
        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse("topics:\n  - name: [unclosed\n", "broken.yaml"));

        Assert.StartsWith("broken.yaml: line ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyDocument_SaysNoTopicsDeclared()
    {
        var error = Assert.Throws<TopologyException>(() => TopicCatalog.Parse(string.Empty, "empty.yaml"));

        Assert.Contains("declares no topics", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_channels_each_have_a_customer_keyed_twin_in_the_customer_group()
    {
        var catalog = TopicCatalog.Load(ShippedTopicsFile());

        var names = ProductTopicNames.FromCatalog(catalog);

        Assert.Equal(ProductTopicNames.Default.KeyedByCustomer, names.KeyedByCustomer);
        Assert.Equal(names.Channels.Count, names.CustomerKeyedChannels.Count);
        Assert.All(names.CustomerKeyedChannels, twin => Assert.Equal(ProductTopicNames.CustomerGroup, catalog.Topics.Single(t => t.Name == twin).CoPartitionGroup));
    }

    [Fact]
    public void Without_customer_keyed_topics_the_context_stage_reads_only_what_identity_stitching_sends_it()
    {
        var shipped = File.ReadAllText(ShippedTopicsFile());
        var withoutTwins = string.Join("\n  - ", shipped.Split("\n  - ").Where(entry => !entry.Contains(".by-customer.v1", StringComparison.Ordinal)));
        var catalog = TopicCatalog.Parse(withoutTwins, "topics.yaml");

        var names = ProductTopicNames.FromCatalog(catalog);
        var topology = ProductTopology.Shape("c360", catalog);

        Assert.Empty(names.KeyedByCustomer);
        Assert.DoesNotContain(topology.SourceTopics, t => t.EndsWith(".by-customer.v1", StringComparison.Ordinal));
        Assert.Contains(names.Clickstream, topology.SourceTopics);
    }

    [Fact]
    public void Two_customer_keyed_topics_of_one_channel_are_refused()
    {
        var catalog = TopicCatalog.Parse(File.ReadAllText(ShippedTopicsFile()) + """

              - name: my.clicks.by-customer.v2
                valueSchema: clickstream-event
                copartition: customer
                role: input
                partitions: 6
            """, "topics.yaml");

        var error = Assert.Throws<TopologyException>(() => ProductTopicNames.FromCatalog(catalog));

        Assert.Contains("at most one customer-keyed input topic with valueSchema clickstream-event, found 2", error.Message, StringComparison.Ordinal);
    }

    internal static string ShippedTopicsFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "topology", "topics.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("topology/topics.yaml not found above the test folder");
    }
}
