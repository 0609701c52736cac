using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Customer360.Streaming.Embedded.Kafka;

/// <summary>
/// The few librdkafka C functions Confluent.Kafka does not wrap: a bare client handle and the mock cluster API
/// (rdkafka_mock.h). They are resolved from the same native file Confluent.Kafka ships and loads.
/// </summary>
internal static partial class NativeLibRdKafka
{
    private const string LibraryName = "librdkafka";
    private const int ProducerType = 0;

    static NativeLibRdKafka() => NativeLibrary.SetDllImportResolver(typeof(NativeLibRdKafka).Assembly, Resolve);

    public static IntPtr CreateClientHandle()
    {
        var conf = ConfNew();
        // The handle only does the mock cluster's book keeping; keep its own log output to real problems.
        SetConf(conf, "log_level", "3");
        var error = new byte[512];
        var handle = New(ProducerType, conf, error, (nuint)error.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(error).TrimEnd('\0'));
        }

        return handle;
    }

    private static void SetConf(IntPtr conf, string name, string value)
    {
        var error = new byte[512];
        if (ConfSet(conf, name, value, error, (nuint)error.Length) != 0)
        {
            throw new InvalidOperationException($"rd_kafka_conf_set({name}) failed: " + Encoding.UTF8.GetString(error).TrimEnd('\0'));
        }
    }

    /// <summary>
    /// Debian 12 lacks libsasl2.so.3, which the default librdkafka.so needs; the self-contained centos8 build in the
    /// same folder works, which is also what Confluent.Kafka falls back to.
    /// </summary>
    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(LibraryName, assembly, searchPath, out var fallback) ? fallback : IntPtr.Zero;
    }

    private static IEnumerable<string> Candidates()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        var linuxNative = Path.Combine(AppContext.BaseDirectory, "runtimes",
            RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64", "native");
        foreach (var folder in new[] { native, linuxNative, AppContext.BaseDirectory })
        {
            yield return Path.Combine(folder, "librdkafka.so");
            yield return Path.Combine(folder, "centos8-librdkafka.so");
            yield return Path.Combine(folder, "librdkafka.dylib");
            yield return Path.Combine(folder, "librdkafka.dll");
        }
    }

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    private static partial IntPtr ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfSet(IntPtr conf, string name, string value, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    private static partial IntPtr New(int type, IntPtr conf, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr handle);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial IntPtr MockClusterNew(IntPtr handle, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(IntPtr cluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockClusterBootstraps(IntPtr cluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_controller_id")]
    public static partial void MockSetControllerId(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_apiversion")]
    public static partial int MockSetApiVersion(IntPtr cluster, short apiKey, short minVersion, short maxVersion);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_partition_delete_records", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockPartitionDeleteRecords(IntPtr cluster, string topic, int partition, long beforeOffset);
}
