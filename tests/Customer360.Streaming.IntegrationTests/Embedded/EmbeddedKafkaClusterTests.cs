using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;

namespace Customer360.Streaming.IntegrationTests.Embedded;

/// <summary>
/// The embedded cluster's own calls (topics, brokers down and up, deleting records, its end). They wake the mock's
/// thread with a connection to a broker when one waits; with every broker down there is none to connect to, and the
/// calls must still complete, as they did before the wake-ups.
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

    [Fact]
    public void Deleting_records_moves_the_start_of_the_partition_and_an_offset_past_its_end_or_after_the_end_of_the_cluster_is_refused()
    {
        const string topic = "records-deleted";
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        cluster.CreateTopic(topic, 1);
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers };
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = $"record {i}" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        cluster.DeleteRecordsBefore(topic, 0, 4);
        var pastTheEnd = Assert.Throws<KafkaException>(() => cluster.DeleteRecordsBefore(topic, 0, 11));

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "records-deleted-reader", AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        var partition = new TopicPartition(topic, 0);
        Assert.Equal(4, consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).Low.Value);
        consumer.Assign(partition);
        var first = consumer.Consume(TimeSpan.FromSeconds(10));
        Assert.Equal(("record 4", 4L), (first?.Message.Value, first?.Offset.Value));
        Assert.Equal(ErrorCode.OffsetOutOfRange, pastTheEnd.Error.Code);

        // The repartition purge may ask after a stop: once the cluster is gone, that is an error of its own, not a crash.
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.DeleteRecordsBefore(topic, 0, 5));
    }
}
