using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// An embedded broker of one test's own, in the test's process, with the counting topology's topics: for tests that
/// stop and restart workers over the same local state and read back what each counted.
/// </summary>
internal sealed class OwnCountingBroker : IDisposable
{
    private readonly EmbeddedKafkaCluster _cluster;
    private readonly IProducer<string, string> _producer;
    private readonly string _input;
    private readonly string _output;

    /// <param name="around">Wraps each task's counting processor (<see cref="CountingProcessor.Topology"/>).</param>
    public OwnCountingBroker(UniqueNames names, int partitions, Func<IProcessor, IProcessor>? around = null)
    {
        _cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        Options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            ApplicationId = names.Group("app"),
            FetchWaitMaxMs = 10,
            // Each run's successor joins the group only after the mock expires the previous member: keep that short.
            Properties = { ["session.timeout.ms"] = "6000" },
        };
        (_input, _output) = (names.Topic("in"), names.Topic("out"));
        Topology = CountingProcessor.Topology(Options.ApplicationId, _input, _output, names.Topic("dlq"), around);
        foreach (var topic in new[] { _input, _output, Changelog, names.Topic("dlq") })
        {
            _cluster.CreateTopic(topic, partitions);
        }

        _producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(Options, "counting-input")).Build();
    }

    public KafkaOptions Options { get; }

    public StreamTopology Topology { get; }

    public string Changelog => Topology.ChangelogTopic(CountingProcessor.Store);

    /// <summary>The topology's source topic.</summary>
    public string Input => _input;

    /// <summary>One input record (to be counted once) for each of <paramref name="keys"/>, flushed.</summary>
    public void Produce(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _producer.Produce(_input, new Message<string, string> { Key = key, Value = "1" });
        }

        _producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>The highest count the output holds for each key: what the workers counted, duplicates of at_least_once aside.</summary>
    public Dictionary<string, long> LatestCounts()
    {
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in KafkaTopicReader.ReadAll(Options, _output))
        {
            var key = System.Text.Encoding.UTF8.GetString(record.Message.Key!);
            latest[key] = Math.Max(latest.GetValueOrDefault(key), CountingProcessor.Decode(record.Message.Value));
        }

        return latest;
    }

    /// <summary>The broker stops answering (its connections are closed and new ones refused) until <see cref="Revive"/>.</summary>
    public void SetDown() => _cluster.SetBrokerDown(1);

    public void Revive() => _cluster.SetBrokerUp(1);

    public void Dispose()
    {
        _producer.Dispose();
        _cluster.Dispose();
    }
}
