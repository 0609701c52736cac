using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Builds a <see cref="StreamTopology"/> and checks it is well formed before anything runs.</summary>
public sealed class StreamTopologyBuilder(string applicationId)
{
    private readonly List<SubTopology> _subTopologies = [];
    private readonly List<string> _repartitionTopics = [];
    private readonly HashSet<string> _stores = new(StringComparer.Ordinal);
    /// <summary>Named after the application, as its internal topics are, until <see cref="DeadLetterTo"/> names one.</summary>
    private string _deadLetterTopic = $"{applicationId}-dead-letters";
    private TimeSpan? _refusedAhead;

    public string ApplicationId { get; } = applicationId;

    public StreamTopologyBuilder AddStore(string name)
    {
        if (!_stores.Add(name))
        {
            throw new TopologyException($"Store '{name}' is declared twice.");
        }

        return this;
    }

    /// <summary>Declares an internal topic for re-keying and returns its name, <c>&lt;app&gt;-&lt;name&gt;-repartition</c>.</summary>
    public string Repartition(string name)
    {
        var topic = $"{ApplicationId}-{name}-repartition";
        _repartitionTopics.Add(topic);
        return topic;
    }

    public StreamTopologyBuilder DeadLetterTo(string topic)
    {
        _deadLetterTopic = topic;
        return this;
    }

    /// <summary>
    /// Declares that the processors refuse a record dated more than <paramref name="limit"/> ahead of the wall clock
    /// (a producer's wrong clock or unit). The runtime then does not order such a record by its timestamp: ordered so,
    /// it waited until its task had nothing older anywhere, and its partition's records behind it waited with it.
    /// </summary>
    public StreamTopologyBuilder RefusesTimestampsAhead(TimeSpan limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero);
        _refusedAhead = limit;
        return this;
    }

    public StreamTopologyBuilder AddSubTopology(string name, IReadOnlyList<string> sources, Func<IProcessor> processor, IReadOnlyList<string>? stores = null, IReadOnlyList<string>? sinks = null)
    {
        _subTopologies.Add(new SubTopology(name, sources, processor, stores ?? [], sinks ?? []));
        return this;
    }

    public StreamTopology Build()
    {
        var errors = new List<string>();
        if (_subTopologies.Count == 0)
        {
            errors.Add("no sub-topology");
        }

        foreach (var duplicate in _subTopologies.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"sub-topology name '{duplicate.Key}' is used twice");
        }

        foreach (var source in _subTopologies.SelectMany(s => s.Sources.Distinct().Select(t => (Sub: s.Name, Topic: t))).GroupBy(x => x.Topic).Where(g => g.Count() > 1))
        {
            errors.Add($"topic '{source.Key}' is a source of several sub-topologies ({string.Join(", ", source.Select(s => s.Sub))})");
        }

        foreach (var sub in _subTopologies)
        {
            if (sub.Sources.Count == 0)
            {
                errors.Add($"sub-topology '{sub.Name}' has no source");
            }

            errors.AddRange(sub.Stores.Where(s => !_stores.Contains(s)).Select(s => $"sub-topology '{sub.Name}' uses undeclared store '{s}'"));
        }

        foreach (var shared in _subTopologies.SelectMany(s => s.Stores.Select(st => (Sub: s.Name, Store: st))).GroupBy(x => x.Store).Where(g => g.Count() > 1))
        {
            errors.Add($"store '{shared.Key}' is used by several sub-topologies; a store belongs to one task");
        }

        return errors.Count == 0
            ? new StreamTopology(ApplicationId, [.. _subTopologies], [.. _repartitionTopics], _deadLetterTopic) { RefusedAhead = _refusedAhead }
            : throw new TopologyException("Invalid topology:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors));
    }
}
