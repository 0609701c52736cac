using System.Text;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>One independent piece of a topology: its co-partitioned source topics, one processor, stores and sinks.</summary>
/// <param name="Name">Names the processor in ids and descriptions.</param>
public sealed record SubTopology(
    string Name,
    IReadOnlyList<string> Sources,
    Func<IProcessor> CreateProcessor,
    IReadOnlyList<string> Stores,
    IReadOnlyList<string> Sinks);

/// <summary>
/// A validated stream topology. Task N of a sub-topology owns partition N of every source topic of that sub-topology
/// and of the changelog of each of its stores.
/// </summary>
public sealed class StreamTopology
{
    private readonly Dictionary<string, SubTopology> _bySource;

    internal StreamTopology(string applicationId, IReadOnlyList<SubTopology> subTopologies, IReadOnlyList<string> repartitionTopics, string deadLetterTopic)
    {
        ApplicationId = applicationId;
        SubTopologies = subTopologies;
        _bySource = subTopologies.SelectMany(s => s.Sources.Select(t => (Topic: t, Sub: s)))
            .ToDictionary(x => x.Topic, x => x.Sub, StringComparer.Ordinal);
        RepartitionTopics = repartitionTopics;
        DeadLetterTopic = deadLetterTopic;
    }

    public string ApplicationId { get; }

    /// <summary>How far ahead of the wall clock the processors take a record's timestamp; null: any (see <see cref="StreamTopologyBuilder.RefusesTimestampsAhead"/>).</summary>
    public TimeSpan? RefusedAhead { get; internal init; }

    public IReadOnlyList<SubTopology> SubTopologies { get; }

    /// <summary>Internal topics records are re-keyed through (sinks of one sub-topology, sources of another).</summary>
    public IReadOnlyList<string> RepartitionTopics { get; }

    public string DeadLetterTopic { get; }

    public IEnumerable<string> SourceTopics => SubTopologies.SelectMany(s => s.Sources).Distinct(StringComparer.Ordinal);

    public string ChangelogTopic(string store) => ChangelogTopicOf(ApplicationId, store);

    /// <summary>The changelog topic of <paramref name="store"/> in application <paramref name="applicationId"/>, for tools that read it without a topology.</summary>
    public static string ChangelogTopicOf(string applicationId, string store) => $"{applicationId}-{store}-changelog";

    /// <summary>The topology's own bookkeeping topics (changelogs, repartitions, dead letters) rather than its outputs.</summary>
    public bool IsInternal(string topic)
    {
        _internalTopics ??= [.. RepartitionTopics, DeadLetterTopic, .. SubTopologies.SelectMany(s => s.Stores).Select(ChangelogTopic)];
        return _internalTopics.Contains(topic);
    }

    private HashSet<string>? _internalTopics;

    /// <summary>The topics records enter by (its sources but its repartition topics): the only ones an origin header may name.</summary>
    private OriginTopics OriginTopics => _originTopics ??= new(SourceTopics.Where(topic => !IsInternal(topic)));

    private OriginTopics? _originTopics;

    /// <summary>
    /// The topics an origin header on a record of <paramref name="topic"/> may name, or null when such a header is not
    /// believed: only a task of ours writes the internal topics, while on an input topic the header is anybody's.
    /// </summary>
    public OriginTopics? OriginTopicsOf(string topic) => IsInternal(topic) ? OriginTopics : null;

    public SubTopology SubTopologyOf(string sourceTopic) =>
        _bySource.TryGetValue(sourceTopic, out var sub)
            ? sub
            : throw new ArgumentException($"'{sourceTopic}' is not a source of this topology.", nameof(sourceTopic));

    /// <summary>
    /// For each sub-topology (by index into <see cref="SubTopologies"/>), every sub-topology whose output reaches it
    /// through repartition topics, directly or further on.
    /// </summary>
    public int[][] FeedersByIndex()
    {
        var subs = SubTopologies;
        var direct = subs.Select(s => Enumerable.Range(0, subs.Count)
            .Where(w => subs[w].Sinks.Any(t => RepartitionTopics.Contains(t) && s.Sources.Contains(t))).ToHashSet()).ToList();
        var closure = direct.Select(d => new HashSet<int>(d)).ToList();
        // Few sub-topologies: widen each set until nothing changes.
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var feeders in closure)
            {
                foreach (var feeder in feeders.ToList())
                {
                    foreach (var further in direct[feeder])
                    {
                        changed |= feeders.Add(further);
                    }
                }
            }
        }

        return [.. closure.Select(c => c.ToArray())];
    }

    /// <summary>
    /// Fails when the cluster's partition counts break the task model: all sources of a sub-topology and the
    /// changelogs of its stores must have the same count, or partition N would not mean the same keys everywhere.
    /// </summary>
    public void VerifyPartitions(IReadOnlyDictionary<string, int> partitionsByTopic)
    {
        ArgumentNullException.ThrowIfNull(partitionsByTopic);
        var errors = new List<string>();
        foreach (var sub in SubTopologies)
        {
            var topics = sub.Sources.Concat(sub.Stores.Select(ChangelogTopic)).Append(DeadLetterTopic).Distinct().ToList();
            foreach (var missing in topics.Where(t => !partitionsByTopic.ContainsKey(t)))
            {
                errors.Add($"topic '{missing}' of sub-topology '{sub.Name}' does not exist");
            }

            var counts = topics.Where(t => t != DeadLetterTopic && partitionsByTopic.ContainsKey(t))
                .Select(t => (Topic: t, Count: partitionsByTopic[t])).ToList();
            if (counts.Select(c => c.Count).Distinct().Count() > 1)
            {
                errors.Add($"sub-topology '{sub.Name}' is not co-partitioned: " + string.Join(", ", counts.Select(c => $"{c.Topic}={c.Count}")));
            }
        }

        if (errors.Count > 0)
        {
            throw new TopologyException("The cluster cannot run this topology:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors));
        }
    }

    /// <summary>Sub-topologies, sources, processor, stores (with changelogs) and sinks, as Kafka Streams prints them.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Topology {ApplicationId}:");
        for (var i = 0; i < SubTopologies.Count; i++)
        {
            var sub = SubTopologies[i];
            text.AppendLine($"  Sub-topology {i}: {sub.Name}");
            text.AppendLine($"    Source: {string.Join(", ", sub.Sources)}");
            text.AppendLine($"      --> Processor: {sub.Name}");
            foreach (var store in sub.Stores)
            {
                text.AppendLine($"          Store: {store} (changelog {ChangelogTopic(store)})");
            }

            foreach (var sink in sub.Sinks)
            {
                text.AppendLine($"      --> Sink: {sink}{(RepartitionTopics.Contains(sink) ? " (repartition)" : string.Empty)}");
            }
        }

        text.AppendLine($"  Dead letters: {DeadLetterTopic}");
        return text.ToString();
    }
}
