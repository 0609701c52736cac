using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Embedded.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The floor under the latency line: records taking the trigger's three hops (input topic, repartition topic, trigger
/// topic) through hand-written Confluent.Kafka code that does no work between them (<see cref="RawPassthrough"/>,
/// which commits as the runtime does under at_least_once), on a fresh embedded broker, at the same rate, linger and
/// fetch wait. Measured like the demo: from the input record's timestamp, which each hop keeps, to a consumer of the
/// last topic receiving it. The hop that reads the repartition topic purges it below its commits every
/// <see cref="DemoRepartitionPurgeInterval"/> with the runtime's own purge, as the demo's processor does (each fetch of
/// the embedded broker walks the partition's log, so a topic left to grow lengthens every hop that shares the broker).
/// Whatever the processor's p99 has above this floor is ours; the floor is the broker's.
/// With two hops (input topic straight to trigger topic) it is the floor of any processor, whatever its design.
/// </summary>
internal static class RawHopLatency
{
    private const int Partitions = 6;
    private const int ValueBytes = 256;
    private const int Keys = 18_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);

    /// <summary><c>Streams:RepartitionPurgeIntervalMs</c> as <c>c360 demo</c> sets it.</summary>
    private static readonly TimeSpan DemoRepartitionPurgeInterval = TimeSpan.FromSeconds(1);

    /// <summary>The trigger's hops today.</summary>
    private static readonly string[] ThreeHops = ["hops.input", "hops.repartition", "hops.triggers"];

    /// <summary>The fewest any processor takes (what events keyed by customer at the source would allow).</summary>
    private static readonly string[] TwoHops = ["hops.input", "hops.triggers"];

    /// <summary>Produces <paramref name="perSecond"/> records a second for <paramref name="measured"/> after a warm-up, and returns the floor's line.</summary>
    /// <param name="hops">3, the trigger's hops today; or 2, input topic to trigger topic with no repartition hop between.</param>
    /// <param name="commitsInBackground">Whether the hops leave commits to the client's background thread (see <see cref="RawPassthrough.RunUntil"/>).</param>
    /// <exception cref="InvalidOperationException">A hop failed or a record did not arrive: a floor that loses records is not reported.</exception>
    public static string Measure(int perSecond, TimeSpan measured, int lingerMs, int fetchWaitMs, int hops = 3, bool commitsInBackground = false)
    {
        var topics = hops switch
        {
            3 => ThreeHops,
            2 => TwoHops,
            _ => throw new ArgumentOutOfRangeException(nameof(hops), hops, "a trigger takes two or three hops"),
        };
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1, topics.Select(t => new TopicSpec(t, TopicRole.Internal, Partitions)));
        KafkaOptions Options(string group) => new() { BootstrapServers = cluster.BootstrapServers, ApplicationId = group, LingerMs = lingerMs, FetchWaitMaxMs = fetchWaitMs };

        using var stop = new CancellationTokenSource();
        using var metrics = new StreamsMetrics();
        var forwarders = Enumerable.Range(0, topics.Length - 1)
            .Select(hop => Task.Factory.StartNew(
                () =>
                {
                    // Only the middle of three hops reads a repartition topic; the input and the last topic stay, as for the processor.
                    using var purge = hop == 1 ? new RepartitionPurge(
                        new EmbeddedRecordDeleter(cluster), [topics[hop]], DemoRepartitionPurgeInterval, TimeProvider.System, metrics, NullLogger.Instance, $"hop{hop}") : null;
                    RawPassthrough.RunUntil(Options($"hop{hop}"), [topics[hop]], topics[hop + 1], stop.Token, commitsInBackground, purge is null ? null : purge.Committed);
                },
                TaskCreationOptions.LongRunning))
            .ToList();
        var latencies = new ConcurrentDictionary<long, double>();
        var receiver = Task.Factory.StartNew(() => Receive(Options("receiver"), topics[^1], latencies, stop.Token), TaskCreationOptions.LongRunning);

        var warmUpRecords = (long)(perSecond * WarmUp.TotalSeconds);
        var produced = Produce(Options("producer"), topics[0], perSecond, warmUpRecords + (long)(perSecond * measured.TotalSeconds));
        var deadline = Environment.TickCount64 + (long)Drain.TotalMilliseconds;
        while (latencies.Count < produced && Environment.TickCount64 < deadline && !forwarders.Append(receiver).Any(t => t.IsFaulted))
        {
            Thread.Sleep(50);
        }

        stop.Cancel();
        try
        {
            Task.WaitAll([.. forwarders, receiver]);
        }
        catch (AggregateException ex)
        {
            throw new InvalidOperationException("a raw hop failed: " + ex.InnerException?.Message, ex);
        }

        if (latencies.Count < produced)
        {
            throw new InvalidOperationException($"the raw hops delivered {latencies.Count} of {produced} records within {Drain.TotalSeconds:0} s of the last");
        }

        var sorted = latencies.Where(l => l.Key >= warmUpRecords).Select(l => l.Value).Order().ToArray();
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"floor: raw {(hops == 3 ? "three" : "two")}-hop passthrough{(commitsInBackground ? ", commits in the background," : string.Empty)} p50 {Percentile(50):0} ms p99 {Percentile(99):0} ms over {sorted.Length} records (Kafka:LingerMs {lingerMs}, Kafka:FetchWaitMaxMs {fetchWaitMs})");
    }

    /// <summary>Produces <paramref name="total"/> numbered records at a steady rate, each stamped with when it was sent.</summary>
    private static long Produce(KafkaOptions options, string topic, int perSecond, long total)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "hops-producer")).Build();
        var started = Environment.TickCount64;
        for (var sent = 0L; sent < total;)
        {
            var due = Math.Min(total, (Environment.TickCount64 - started) * perSecond / 1000);
            for (; sent < due; sent++)
            {
                var value = new byte[ValueBytes];
                BinaryPrimitives.WriteInt64BigEndian(value, sent);
                var key = KeyOf(sent % Keys);
                producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = key, Value = value, Timestamp = new Timestamp(DateTimeOffset.UtcNow) });
            }

            Thread.Sleep(1);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        return total;
    }

    private static byte[] KeyOf(long customer) => System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"customer-{customer}"));

    /// <summary>Reads the last hop's topic, keeping each record's age on arrival by its number (a redelivery counts once).</summary>
    private static void Receive(KafkaOptions options, string topic, ConcurrentDictionary<long, double> latencies, CancellationToken stop)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, options.ApplicationId, "hops-receiver")).Build();
        consumer.Subscribe(topic);
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } record)
            {
                var age = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - record.Message.Timestamp.UnixTimestampMs;
                latencies.TryAdd(BinaryPrimitives.ReadInt64BigEndian(record.Message.Value), Math.Max(age, 0));
            }
        }

        consumer.Close();
    }
}
