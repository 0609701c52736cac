using System.Runtime.InteropServices;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Embedded.Kafka;

/// <summary>
/// librdkafka's mock cluster: real Kafka protocol on loopback, in this process. Any Kafka client (kcat, kafkajs,
/// another .NET process) can connect while it lives. It cannot compact, enforce read_committed or store
/// transactional offsets, and it drops the oldest data of a partition beyond about 5 MiB: a development broker only.
/// </summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    /// <summary>librdkafka's mock cluster supports at most this many brokers in practice for local use.</summary>
    public const int MaxBrokers = 10;

    /// <summary>Kafka's API key of LeaveGroup.</summary>
    private const short LeaveGroupApiKey = 13;

    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(NativeLibRdKafka.MockClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Starts a cluster with brokers 1..<paramref name="brokerCount"/> and creates the given topics.</summary>
    public static EmbeddedKafkaCluster Start(int brokerCount = 3, IEnumerable<TopicSpec>? topics = null)
    {
        if (brokerCount is < 1 or > MaxBrokers)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerCount), brokerCount, $"Broker count must be between 1 and {MaxBrokers}.");
        }

        var handle = NativeLibRdKafka.CreateClientHandle();
        var cluster = NativeLibRdKafka.MockClusterNew(handle, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            NativeLibRdKafka.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        // A real broker delays the first rebalance by 3 s to gather members; locally that is only waiting.
        NativeLibRdKafka.MockGroupInitialRebalanceDelayMs(cluster, 0);
        // Idempotent producers of other clients (kafkajs) look up the controller before producing.
        NativeLibRdKafka.MockSetControllerId(cluster, 1);
        // The mock's LeaveGroup v3 reply lacks its members array, which kafkajs cannot parse, so a kafkajs consumer could
        // not leave a group (the next member then waited out the session timeout). v2 replies are well formed.
        if (NativeLibRdKafka.MockSetApiVersion(cluster, LeaveGroupApiKey, 0, 2) != 0)
        {
            NativeLibRdKafka.MockClusterDestroy(cluster);
            NativeLibRdKafka.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_set_apiversion refused to cap LeaveGroup at v2.");
        }

        var embedded = new EmbeddedKafkaCluster(handle, cluster, brokerCount);
        foreach (var topic in topics ?? [])
        {
            embedded.CreateTopic(topic.Name, topic.Partitions);
        }

        return embedded;
    }

    /// <summary>Creates a topic; the mock cannot serve CreateTopics, so this is the way to make one with a fixed count.</summary>
    public void CreateTopic(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var error = (ErrorCode)NativeLibRdKafka.MockTopicCreate(LiveCluster(), name, partitions, Math.Min(3, BrokerCount));
        if (error is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            throw new InvalidOperationException($"Creating topic '{name}' failed: {error}");
        }
    }

    /// <summary>Disconnects one broker and refuses new connections until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(NativeLibRdKafka.MockBrokerSetDown(LiveCluster(), brokerId), "set down");

    public void SetBrokerUp(int brokerId) => Check(NativeLibRdKafka.MockBrokerSetUp(LiveCluster(), brokerId), "set up");

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                NativeLibRdKafka.MockClusterDestroy(_cluster);
                NativeLibRdKafka.Destroy(_handle);
                _cluster = IntPtr.Zero;
                _handle = IntPtr.Zero;
            }
        }
    }

    private IntPtr LiveCluster()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return _cluster;
        }
    }

    private static void Check(int code, string action)
    {
        if ((ErrorCode)code != ErrorCode.NoError)
        {
            throw new InvalidOperationException($"Broker {action} failed: {(ErrorCode)code}");
        }
    }
}
