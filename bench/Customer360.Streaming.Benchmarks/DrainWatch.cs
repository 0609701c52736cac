using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// Watches a drain from outside the processor with as little load as it can: one consumer of the processor's group
/// (it never subscribes, so it never joins) and one admin client, made once, asking for committed offsets only. The
/// drain shares two cores with the watcher, and a lag read per poll (two new clients, metadata and a watermark request
/// per partition) took CPU the processor would otherwise have had. It also keeps what it saw, second by second, so
/// a drain's start (the JIT, the stores opening) shows apart from its steady rate.
/// </summary>
internal sealed class DrainWatch : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumerOfGroup;
    private readonly IAdminClient _admin;
    private readonly List<TopicPartition> _inputs;
    private readonly List<string> _internalTopics;
    private readonly List<(TimeSpan At, long Committed)> _seen = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public DrainWatch(KafkaOptions kafka, string applicationId, TopicCatalog catalog, IEnumerable<string> inputs)
    {
        var inputNames = inputs.ToHashSet(StringComparer.Ordinal);
        _inputs = [.. catalog.Topics.Where(t => inputNames.Contains(t.Name)).SelectMany(t => Enumerable.Range(0, t.Partitions).Select(p => new TopicPartition(t.Name, p)))];
        _internalTopics = [.. catalog.Topics.Where(t => t.Name.EndsWith("-repartition", StringComparison.Ordinal)).Select(t => t.Name)];
        _consumerOfGroup = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(kafka, applicationId, $"{applicationId}-drain-watch")).Build();
        _admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, $"{applicationId}-drain-watch")).Build();
    }

    /// <summary>Input records the group has committed, all partitions together; kept with the time it was read.</summary>
    public long Committed()
    {
        var committed = _consumerOfGroup.Committed(_inputs, TimeSpan.FromSeconds(10)).Sum(o => o.Offset.IsSpecial ? 0 : o.Offset.Value);
        _seen.Add((_clock.Elapsed, committed));
        return committed;
    }

    /// <summary>Whether a repartition topic still holds records the group has not committed.</summary>
    public bool InternalLag() =>
        _internalTopics.Count > 0 && ConsumerGroupLag.Read(_consumerOfGroup, _admin, _internalTopics, TimeSpan.FromSeconds(10)).Any(p => p.Lag > 0);

    /// <summary>Inputs committed per second in each whole second since <paramref name="start"/>, as "12.3k 25.0k ...".</summary>
    public string RateBySecond(TimeSpan start)
    {
        var rates = new List<string>();
        var (previousAt, previous) = (start, _seen.LastOrDefault(s => s.At <= start).Committed);
        foreach (var (at, committed) in _seen.Where(s => s.At > start))
        {
            if (at - previousAt >= TimeSpan.FromSeconds(1))
            {
                rates.Add(string.Create(CultureInfo.InvariantCulture, $"{(committed - previous) / (at - previousAt).TotalSeconds / 1000:0.0}k"));
                (previousAt, previous) = (at, committed);
            }
        }

        return string.Join(' ', rates);
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Dispose()
    {
        _consumerOfGroup.Dispose();
        _admin.Dispose();
    }
}
