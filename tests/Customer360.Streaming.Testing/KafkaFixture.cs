using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using DotNet.Testcontainers.Configurations;
using Testcontainers.Kafka;
using Xunit;

namespace Customer360.Streaming.Testing;

/// <summary>
/// One Kafka for a test assembly: <c>KAFKA_BOOTSTRAP_SERVERS</c> when set, else a real broker through Testcontainers
/// when a Docker engine answers, else the embedded mock cluster. Tests create their own uniquely named topics.
/// </summary>
public sealed class KafkaFixture : IAsyncLifetime
{
    public const string BootstrapEnvironmentVariable = "KAFKA_BOOTSTRAP_SERVERS";

    private KafkaContainer? _container;

    public KafkaSource Source { get; private set; }

    public string BootstrapServers { get; private set; } = string.Empty;

    /// <summary>The embedded cluster when <see cref="Source"/> is Embedded (fault injection needs it).</summary>
    public EmbeddedKafkaCluster? Embedded { get; private set; }

    /// <summary>Transactions, read_committed and transactional offsets behave as on Apache Kafka.</summary>
    public bool EnforcesExactlyOnce => Source != KafkaSource.Embedded;

    public string Description => Source switch
    {
        KafkaSource.External => $"external Kafka at {BootstrapServers}",
        KafkaSource.Testcontainers => $"Apache Kafka in Docker (Testcontainers) at {BootstrapServers}",
        _ => $"embedded librdkafka mock cluster at {BootstrapServers}",
    };

    public KafkaOptions Options(string applicationId = "c360-test") => new()
    {
        BootstrapServers = BootstrapServers,
        ApplicationId = applicationId,
        FetchWaitMaxMs = Source == KafkaSource.Embedded ? 10 : 100,
    };

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(BootstrapEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            Source = KafkaSource.External;
            BootstrapServers = external;
        }
        else if (DockerIsReachable())
        {
            _container = new KafkaBuilder("confluentinc/cp-kafka:7.9.0").Build();
            await _container.StartAsync();
            Source = KafkaSource.Testcontainers;
            BootstrapServers = _container.GetBootstrapAddress();
        }
        else
        {
            Embedded = EmbeddedKafkaCluster.Start(brokerCount: 3);
            Source = KafkaSource.Embedded;
            BootstrapServers = Embedded.BootstrapServers;
        }

        TestRunReport.Note($"Kafka for tests: {Description}");
    }

    /// <summary>Creates a topic with an exact partition count (the mock has no CreateTopics API, hence two ways).</summary>
    public async Task CreateTopicAsync(string name, int partitions)
    {
        if (Embedded is not null)
        {
            Embedded.CreateTopic(name, partitions);
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Embedded?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>Without an engine Testcontainers has no endpoint; asking costs microseconds, a failed Build() much more.</summary>
    private static bool DockerIsReachable()
    {
        try
        {
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
