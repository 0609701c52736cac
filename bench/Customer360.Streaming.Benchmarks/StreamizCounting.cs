using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.Table;
using StreamizGuarantee = Streamiz.Kafka.Net.ProcessingGuarantee;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The peer of the runtime's counting topology in Streamiz.Kafka.Net 1.8.2: count per key in a RocksDB store with a
/// changelog, every new count sent to the output topic. A benchmark peer only; the product does not reference it.
/// Streamiz creates its internal topics through the admin API at start, which the embedded broker does not serve in
/// time, so <see cref="InternalTopics"/> are created up front.
/// </summary>
internal static class StreamizCounting
{
    private const string Store = "counts";

    /// <summary>The internal topics Streamiz expects for an application, to create before it starts.</summary>
    public static IReadOnlyList<string> InternalTopics(string applicationId) => [$"{applicationId}-{Store}-changelog"];

    /// <summary>
    /// Runs the topology until <paramref name="records"/> counts are in the output topic, or the group has committed
    /// that many input offsets, then closes it. (Streamiz exposes no count of processed records. Under exactly_once the
    /// embedded broker keeps no transactional offsets for the group, so only the outputs can tell.)
    /// </summary>
    public static void Run(KafkaOptions kafka, string input, string output, bool exactlyOnce, long records, string stateDirectory)
    {
        var builder = new StreamBuilder();
        builder.Stream<string, byte[]>(input)
            .GroupByKey()
            .Count(RocksDb.As<string, long>(Store).WithKeySerdes<StringSerDes>().WithValueSerdes<Int64SerDes>())
            .ToStream()
            .To<StringSerDes, Int64SerDes>(output);
        var config = new StreamConfig<StringSerDes, ByteArraySerDes>
        {
            ApplicationId = kafka.ApplicationId,
            BootstrapServers = kafka.BootstrapServers,
            Guarantee = exactlyOnce ? StreamizGuarantee.EXACTLY_ONCE : StreamizGuarantee.AT_LEAST_ONCE,
            CommitIntervalMs = kafka.CommitIntervalMs,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            StateDir = stateDirectory,
            NumStreamThreads = 1,
            FetchWaitMaxMs = kafka.FetchWaitMaxMs,
        };
        using var stream = new KafkaStream(builder.Build(), config);
        stream.StartAsync().GetAwaiter().GetResult();
        using var committed = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(kafka, kafka.ApplicationId, "streamiz-progress")).Build();
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, "streamiz-progress")).Build();
        var outputConfig = KafkaClientConfigs.Consumer(kafka, kafka.ApplicationId + "-outputs", "streamiz-outputs");
        outputConfig.IsolationLevel = IsolationLevel.ReadUncommitted;
        using var outputs = new ConsumerBuilder<Ignore, Ignore>(outputConfig).Build();
        var partitions = admin.GetMetadata(output, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        outputs.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(output, p, Offset.Beginning)));
        var deadline = Environment.TickCount64 + 300_000;
        var nextCommitCheck = 0L;
        for (var seen = 0L; seen < records;)
        {
            if (outputs.Consume(TimeSpan.FromMilliseconds(10)) is { IsPartitionEOF: false })
            {
                seen++;
            }

            if (Environment.TickCount64 >= nextCommitCheck)
            {
                if (ConsumerGroupLag.Read(committed, admin, [input], TimeSpan.FromSeconds(10)).Sum(p => p.Committed ?? 0) >= records)
                {
                    break;
                }

                nextCommitCheck = Environment.TickCount64 + 50;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"Streamiz did not count {records} input records within 300 s (saw {seen} outputs).");
            }
        }

        stream.Dispose();
    }
}
