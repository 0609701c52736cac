using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// An embedded broker in its own process (<c>c360 broker</c>) with the counting topology's topics, plus helpers to run
/// counting processes against it and to read back what they made durable.
/// </summary>
internal sealed class CountingCluster : IDisposable
{
    private readonly ChildProcess _broker;
    private readonly List<ChildProcess> _processors = [];

    private CountingCluster(ChildProcess broker, string bootstrap, UniqueNames names, int partitions)
    {
        _broker = broker;
        Partitions = partitions;
        BootstrapServers = bootstrap;
        ApplicationId = names.Group("app");
        Input = names.Topic("input");
        Output = names.Topic("output");
        DeadLetters = names.Topic("dlq");
    }

    public int Partitions { get; }

    public string BootstrapServers { get; }

    public string ApplicationId { get; }

    public string Input { get; }

    public string Output { get; }

    public string DeadLetters { get; }

    public string Changelog => $"{ApplicationId}-{Testing.Streams.CountingProcessor.Store}-changelog";

    public KafkaOptions Options => new() { BootstrapServers = BootstrapServers, ApplicationId = ApplicationId, FetchWaitMaxMs = 10 };

    public static async Task<CountingCluster> StartAsync(UniqueNames names, int partitions = 3)
    {
        var applicationId = names.Group("app");
        var directory = TestScratch.Run.NewDirectory("c360-counting-");
        await File.WriteAllTextAsync(Path.Combine(directory, "topics.yaml"), $$"""
            topics:
              - { name: {{names.Topic("input")}}, role: input, partitions: {{partitions}} }
              - { name: {{names.Topic("output")}}, role: output, partitions: {{partitions}} }
              - { name: {{applicationId}}-counts-changelog, role: internal, partitions: {{partitions}}, compacted: true }
              - { name: {{names.Topic("dlq")}}, role: deadletter, partitions: 1 }
            """);
        var broker = C360Program.Start(["broker", "--brokers", "1", "--topology-dir", directory]);
        var ready = await broker.WaitForLineAsync(l => l.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        if (ready is null)
        {
            broker.Dispose();
            throw new InvalidOperationException("c360 broker did not start: " + broker.AllOutput);
        }

        return new CountingCluster(broker, broker.StandardOutput[0]["bootstrap.servers=".Length..], names, partitions);
    }

    /// <summary>Starts a counting processor process and waits until it owns a restored assignment.</summary>
    public async Task<ChildProcess> StartProcessorAsync(ProcessingGuarantee guarantee = ProcessingGuarantee.AtLeastOnce, int threads = 1)
    {
        var process = ChildProcess.Start(
            "dotnet", [RepositoryLayout.TestHostDll, BootstrapServers, ApplicationId, Input, Output, DeadLetters, guarantee.ToString(), threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        _processors.Add(process);
        if (await process.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(60)) is null)
        {
            throw new InvalidOperationException("counting processor never became ready: " + process.AllOutput);
        }

        return process;
    }

    public IProducer<string, string> CreateProducer() =>
        new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(Options, "counting-input")).Build();

    /// <summary>Waits until the group has committed everything produced to the input.</summary>
    public async Task<bool> WaitForCaughtUpAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var lag = ConsumerGroupLag.Read(Options, ApplicationId, [Input], TimeSpan.FromSeconds(10));
            if (lag.Count == Partitions && lag.All(p => p.Committed == p.HighWatermark))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>Every record of a topic from the beginning (the broker keeps everything: no compaction).</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic) => KafkaTopicReader.ReadAll(Options, topic);

    /// <summary>The final store contents, as a restore from the changelog would rebuild them.</summary>
    public Dictionary<string, long> FinalCounts()
    {
        var state = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var record in ReadAll(Changelog))
        {
            var key = Encoding.UTF8.GetString(record.Message.Key!);
            if (ChangelogRecords.IsRuntimeKey(key))
            {
                continue;
            }

            if (ChangelogRecords.ValueOf(record.Message.Value) is { } value)
            {
                state[key] = long.Parse(Encoding.UTF8.GetString(value), CultureInfo.InvariantCulture);
            }
            else
            {
                state.Remove(key);
            }
        }

        return state;
    }

    public void Dispose()
    {
        foreach (var process in _processors)
        {
            process.Dispose();
        }

        _broker.Dispose();
    }
}
