using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

using Customer360.Streaming.Host.Web;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// What the demo says about its triggers: event-to-trigger latency as the processor measured it at commit (listened
/// to in-process), and the decisions read back from Kafka, fired by rule and suppressed by reason. Latency counts
/// only triggers of events from <see cref="LiveFromMs"/> on: those of the replayed history are minutes old by design.
/// </summary>
internal sealed class DemoTriggerReport : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<double> _latenciesMs = new();
    private long _liveFromMs = long.MaxValue;

    public DemoTriggerReport(string triggersTopic, TimeProvider time)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "c360.output.latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                // The measurement is taken at the commit, so its event time is now minus the latency.
                if (tag.Key == "topic" && tag.Value as string == triggersTopic && time.GetUtcNow().ToUnixTimeMilliseconds() - value >= Volatile.Read(ref _liveFromMs))
                {
                    _latenciesMs.Enqueue(value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Event time from which triggers count toward latency (until set, none do).</summary>
    public long LiveFromMs
    {
        get => Volatile.Read(ref _liveFromMs);
        set => Volatile.Write(ref _liveFromMs, value);
    }

    /// <summary>The p-th percentile (0–100) of event-to-trigger latency in ms, or null before any trigger.</summary>
    public double? LatencyPercentile(double p)
    {
        var sorted = _latenciesMs.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public int Triggers => _latenciesMs.Count;

    /// <summary>Decisions on the topic: fired ones counted by rule, suppressed ones by reason.</summary>
    public static (IReadOnlyDictionary<string, int> FiredByRule, IReadOnlyDictionary<string, int> SuppressedByReason) Decisions(
        KafkaOptions kafka, ISchemaRegistryClient registry, string topic, int partitions, CancellationToken cancellationToken)
    {
        var fired = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var suppressed = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, "c360-demo-decisions", "c360-demo-decisions")).Build();
        TopicReader.ReadToEnd(consumer, topic, Enumerable.Range(0, partitions), TimeSpan.FromSeconds(5), record =>
        {
            if (record.Message.Value is not { } value)
            {
                return;
            }

            var decision = ObservedDecision.Decode(deserializer.Deserialize(value));
            var (counts, key) = decision.Fired ? (fired, decision.RuleId) : (suppressed, decision.Reason);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }, cancellationToken);
        return (fired, suppressed);
    }

    public void Dispose() => _listener.Dispose();
}
