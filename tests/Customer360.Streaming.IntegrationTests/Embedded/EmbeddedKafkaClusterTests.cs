using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;

namespace Customer360.Streaming.IntegrationTests.Embedded;

/// <summary>
/// The embedded cluster's own calls (topics, brokers down and up, its end). They wake the mock's thread with a
/// connection to a broker when one waits; with every broker down there is none to connect to, and the calls must still
/// complete, as they did before the wake-ups.
/// </summary>
public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public void Calls_made_while_every_broker_is_down_complete_and_their_topic_is_served_once_the_brokers_are_up()
    {
        const string topic = "made-while-every-broker-was-down";
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 2);
        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);

        cluster.CreateTopic(topic, 4);
        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single();
        Assert.Equal(ErrorCode.NoError, metadata.Error.Code);
        Assert.Equal(4, metadata.Partitions.Count);
    }
}
