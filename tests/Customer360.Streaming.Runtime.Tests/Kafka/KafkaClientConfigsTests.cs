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

    /// <summary>
    /// <c>Kafka:Properties</c> serve every client, but librdkafka warns at each client given a setting of the other kind
    /// ("session.timeout.ms is a consumer property and will be ignored by this producer instance"): the README's own
    /// advice for the embedded broker made every producer and admin client of <c>c360 run</c> log a warning at start.
    /// </summary>
    [Fact]
    public void A_property_of_one_kind_of_client_is_given_to_that_kind_only_and_no_client_warns_that_it_ignores_one()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = "127.0.0.1:9",
            Properties = new() { ["session.timeout.ms"] = "6000", ["compression.type"] = "lz4", ["socket.keepalive.enable"] = "true" },
        };
        var warnings = new List<string>();
        void Warned(LogMessage message)
        {
            if (message.Facility == "CONFWARN")
            {
                lock (warnings)
                {
                    warnings.Add(message.Message);
                }
            }
        }

        var producer = KafkaClientConfigs.Producer(options, "p");
        var consumer = KafkaClientConfigs.Consumer(options, "group", "c");
        var admin = KafkaClientConfigs.Admin(options, "a");
        using (new ProducerBuilder<Null, Null>(producer).SetLogHandler((_, m) => Warned(m)).Build())
        using (new ConsumerBuilder<Ignore, Ignore>(consumer).SetLogHandler((_, m) => Warned(m)).Build())
        using (new AdminClientBuilder(admin).SetLogHandler((_, m) => Warned(m)).Build())
        {
        }

        Assert.Empty(warnings);
        Assert.Equal("6000", consumer.Get("session.timeout.ms"));
        Assert.Equal("lz4", producer.Get("compression.type"));
        Assert.Null(producer.Get("session.timeout.ms"));
        Assert.Null(admin.Get("session.timeout.ms"));
        Assert.Null(consumer.Get("compression.type"));
        Assert.All(new ClientConfig[] { producer, consumer, admin }, config => Assert.Equal("true", config.Get("socket.keepalive.enable")));
    }
}
