using System.Net;
using System.Net.Sockets;
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

    /// <summary>How long a mock API call may wait before the mock's thread is woken (they take well under 1 ms).</summary>
    private static readonly TimeSpan WakeUpAfter = TimeSpan.FromMilliseconds(5);

    private readonly Lock _gate = new();
    private readonly IPEndPoint[] _brokers;
    private IntPtr _handle;
    private IntPtr _cluster;
    private int _waking;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(NativeLibRdKafka.MockClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        _brokers = [.. BootstrapServers.Split(',').Select(IPEndPoint.Parse)];
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

        var embedded = new EmbeddedKafkaCluster(handle, cluster, brokerCount);
        try
        {
            embedded.Configure();
            foreach (var topic in topics ?? [])
            {
                embedded.CreateTopic(topic.Name, topic.Partitions);
            }

            return embedded;
        }
        catch
        {
            embedded.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic; the mock cannot serve CreateTopics, so this is the way to make one with a fixed count.</summary>
    public void CreateTopic(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var replicas = Math.Min(3, BrokerCount);
        var error = (ErrorCode)Awake(() => NativeLibRdKafka.MockTopicCreate(LiveCluster(), name, partitions, replicas));
        if (error is not (ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            throw new InvalidOperationException($"Creating topic '{name}' failed: {error}");
        }
    }

    /// <summary>
    /// Deletes a partition's records below <paramref name="offset"/>, as DeleteRecords does on a real broker; the mock
    /// cannot serve that request, so this is the way to ask it. Throws <see cref="KafkaException"/> with the mock's error.
    /// </summary>
    public void DeleteRecordsBefore(string topic, int partition, long offset)
    {
        ErrorCode error;
        // Called from background work (the repartition purge) that may outlast a stop: the cluster is not destroyed
        // while a call is under way, and a call after its end throws ObjectDisposedException.
        lock (_gate)
        {
            var cluster = LiveCluster();
            error = (ErrorCode)Awake(() => NativeLibRdKafka.MockPartitionDeleteRecords(cluster, topic, partition, offset));
        }

        if (error != ErrorCode.NoError)
        {
            throw new KafkaException(new Error(error, $"Deleting records of {topic}[{partition}] below offset {offset} failed: {error}"));
        }
    }

    /// <summary>Disconnects one broker and refuses new connections until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(Awake(() => NativeLibRdKafka.MockBrokerSetDown(LiveCluster(), brokerId)), "set down");

    public void SetBrokerUp(int brokerId) => Check(Awake(() => NativeLibRdKafka.MockBrokerSetUp(LiveCluster(), brokerId)), "set up");

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                var cluster = _cluster;
                Awake(() => NativeLibRdKafka.MockClusterDestroy(cluster));
                NativeLibRdKafka.Destroy(_handle);
                _cluster = IntPtr.Zero;
                _handle = IntPtr.Zero;
            }
        }
    }

    /// <summary>What every cluster gets before its topics.</summary>
    private void Configure()
    {
        // A real broker delays the first rebalance by 3 s to gather members; locally that is only waiting.
        Awake(() => NativeLibRdKafka.MockGroupInitialRebalanceDelayMs(LiveCluster(), 0));
        // Idempotent producers of other clients (kafkajs) look up the controller before producing.
        Awake(() => NativeLibRdKafka.MockSetControllerId(LiveCluster(), 1));
        // The mock's LeaveGroup v3 reply lacks its members array, which kafkajs cannot parse, so a kafkajs consumer could
        // not leave a group (the next member then waited out the session timeout). v2 replies are well formed.
        if (Awake(() => NativeLibRdKafka.MockSetApiVersion(LiveCluster(), LeaveGroupApiKey, 0, 2)) != 0)
        {
            throw new InvalidOperationException("rd_kafka_mock_set_apiversion refused to cap LeaveGroup at v2.");
        }
    }

    /// <summary>
    /// Runs one call of the mock API (its destruction included), waking the mock's thread while it waits. Each call
    /// queues a request for that thread and blocks until it is served. The thread serves its queue and then empties the
    /// pipe that signals new requests, so a request queued in between (the next call, right after the previous reply) is
    /// left without a signal and waits for the thread's next timer, up to 1 s: 14 of 500 topic creations did in one run
    /// here, 7 of one cluster's 25 in another. A TCP connection to a broker wakes the thread as well, so a call still
    /// waiting after <see cref="WakeUpAfter"/> gets one.
    /// </summary>
    private T Awake<T>(Func<T> call)
    {
        using var wakeUps = new Timer(_ => WakeMockThread(), null, WakeUpAfter, WakeUpAfter);
        return call();
    }

    private void Awake(Action call) => Awake(() =>
    {
        call();
        return true;
    });

    /// <summary>
    /// Connects to the first broker that accepts (one may be set down) and hangs up; the mock closes its end. One at a
    /// time: a mock thread busy elsewhere accepts late, and timer ticks must not pile connections onto its backlog.
    /// </summary>
    private void WakeMockThread()
    {
        if (Interlocked.Exchange(ref _waking, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var broker in _brokers)
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Connect(broker);
                    return;
                }
                catch (SocketException)
                {
                    // Down (its port refuses): the next one, or none; the call then completes at the thread's next timer.
                }
            }
        }
        finally
        {
            Volatile.Write(ref _waking, 0);
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
