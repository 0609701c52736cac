using System.Collections.Frozen;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The topics an origin header may name: the topology's sources that are not its own repartition topics, where every
/// event first enters. A name read from a header is looked up here, which gives the topology's own string (nothing
/// allocated per record) and refuses a name none of its tasks could have written: a header another program put on an
/// internal topic named a topic "in" in a dead letter, and each new name stayed in a cache for good.
/// </summary>
public sealed class OriginTopics(IEnumerable<string> topics)
{
    private readonly FrozenSet<string> _topics = topics.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The topology's string for <paramref name="name"/>, or null when no origin can be on that topic.</summary>
    public string? Find(ReadOnlySpan<char> name) =>
        _topics.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var topic) ? topic : null;
}
