using Customer360.Streaming.Contracts;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary>Where a replayed dead letter goes, or why it cannot go anywhere.</summary>
/// <param name="Topic">The topic to produce the original record to; null when it is not replayed.</param>
/// <param name="WhyNot">Why it is not replayed; null when it is.</param>
internal sealed record DeadLetterReplayTarget(string? Topic, string? WhyNot);

/// <summary>
/// Decides where each dead letter is replayed: to the input it entered by, keyed as it was, so the processor takes it
/// exactly as it took the original. An event that failed after the identity stage routed it carries the customer id
/// as its key instead of its identifier (the dead letter is the repartition record), and only the channel's
/// customer-keyed twin takes that key.
/// </summary>
internal sealed class DeadLetterReplayTargets
{
    private readonly HashSet<string> _entrances;
    private readonly IReadOnlyDictionary<string, string> _keyedByCustomer;
    private readonly HashSet<string> _judgedByGrace;

    public DeadLetterReplayTargets(TopicCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var names = ProductTopicNames.FromCatalog(catalog);
        _entrances = [.. catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table).Select(t => t.Name)];
        _keyedByCustomer = names.KeyedByCustomer;
        _judgedByGrace = [.. names.Channels, .. names.CustomerKeyedChannels, names.Relationship];
    }

    /// <summary>Whether records enter the topology by <paramref name="topic"/> (an input or table topic).</summary>
    public bool IsEntrance(string topic) => _entrances.Contains(topic);

    /// <summary>
    /// Whether the processor judges a record of <paramref name="topic"/> by its age against its customer's newest of the
    /// same kind (channel events and relationship profiles; not links or trigger responses).
    /// </summary>
    public bool IsJudgedByGrace(string topic) => _judgedByGrace.Contains(topic);

    public DeadLetterReplayTarget For(DeadLetterEnvelope letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var origin = letter.Origin.Topic;
        if (letter.Truncated)
        {
            return new(null, "cut to fit the dead-letter size limit, so the original is not all there");
        }

        if (!_entrances.Contains(origin))
        {
            return new(null, $"entered by {origin}, which is not an input or table topic of topics.yaml");
        }

        if (letter.ViaTopic is null)
        {
            return new(origin, null);
        }

        return _keyedByCustomer.TryGetValue(origin, out var twin)
            ? new(twin, null)
            : new(null, $"failed after routing, keyed by customer id, and topics.yaml declares no customer-keyed topic for {origin}");
    }
}
