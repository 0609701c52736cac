using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Decisioning;

/// <summary>A real-time segment of <c>topology/segments.yaml</c>: a name and a condition over the context.</summary>
public sealed record SegmentDefinition(string Name, string Description, CompiledCondition<RuleScope> When);

/// <summary>A customer entered or left a segment.</summary>
/// <param name="TimeMs">When: the time of the step that changed the membership.</param>
/// <param name="EnteredMs">When the customer entered (for a leave: when the stay began).</param>
public sealed record SegmentChange(string Segment, bool Entered, long TimeMs, long EnteredMs);

/// <summary>
/// Segment membership as a pure function of the context: every declared segment is judged on the context as it
/// stands after a step, and membership remembers when each was entered. A segment that is no longer declared (a
/// reload removed it) is left.
/// </summary>
public static class SegmentMembership
{
    /// <summary>The customer's segments after a step at <paramref name="timeMs"/>, and what changed (entries in the file's order, then leaves).</summary>
    public static (CustomerContext Context, IReadOnlyList<SegmentChange> Changes) Judge(IReadOnlyList<SegmentDefinition> segments, CustomerContext context, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(context);
        if (segments.Count == 0 && context.Segments.IsEmpty)
        {
            return (context, []);
        }

        // Most steps change no membership: judge first, and build a new membership only when something moved.
        var scope = RuleScope.Of(context, timeMs);
        Span<bool> members = segments.Count <= 64 ? stackalloc bool[segments.Count] : new bool[segments.Count];
        var kept = 0;
        var moved = false;
        for (var i = 0; i < segments.Count; i++)
        {
            members[i] = segments[i].When.Evaluate(scope);
            var was = context.Segments.ContainsKey(segments[i].Name);
            kept += members[i] && was ? 1 : 0;
            moved |= members[i] != was;
        }

        if (!moved && kept == context.Segments.Count)
        {
            return (context, []);
        }

        var next = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var changes = new List<SegmentChange>();
        for (var i = 0; i < segments.Count; i++)
        {
            if (!members[i])
            {
                continue;
            }

            var name = segments[i].Name;
            if (context.Segments.TryGetValue(name, out var since))
            {
                next[name] = since;
            }
            else
            {
                next[name] = timeMs;
                changes.Add(new SegmentChange(name, Entered: true, timeMs, timeMs));
            }
        }

        foreach (var (name, since) in context.Segments)
        {
            if (!next.ContainsKey(name))
            {
                changes.Add(new SegmentChange(name, Entered: false, timeMs, since));
            }
        }

        return (context with { Segments = next.ToImmutable() }, changes);
    }

    /// <summary>
    /// The segment a decision learns in: the first declared segment the customer is in (so the file's order, most
    /// specific first, says which counts), or <see cref="NoSegment"/>.
    /// </summary>
    public static string Primary(IReadOnlyList<SegmentDefinition> segments, CustomerContext context)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var segment in segments)
        {
            if (context.Segments.ContainsKey(segment.Name))
            {
                return segment.Name;
            }
        }

        return NoSegment;
    }

    /// <summary>The segment of a customer in none of the declared ones.</summary>
    public const string NoSegment = "none";
}
