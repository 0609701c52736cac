using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// Starting the embedded broker with the declared topics, as <c>c360 broker</c>, the demo and every integration test
/// do. Each iteration is one start (cold, one call per iteration), in three processes: a mock API call that waits for
/// the mock thread's timer shows as a start near 1 s, so the mean and the maximum tell whether any did.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 3, warmupCount: 1, iterationCount: 30)]
[MinColumn, MaxColumn]
public class EmbeddedClusterBenchmarks
{
    private readonly IReadOnlyList<TopicSpec> _topics =
        TopicCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "topics.yaml")).Topics;

    [Benchmark(Description = "start 3 brokers with the declared topics")]
    public int StartWithTheDeclaredTopics()
    {
        using var cluster = EmbeddedKafkaCluster.Start(3, _topics);
        return cluster.BrokerCount;
    }
}
