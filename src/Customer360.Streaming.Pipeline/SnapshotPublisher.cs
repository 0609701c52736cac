using System.Globalization;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// Publishes the snapshots of the contexts a task changed, once per changed context per commit, on the context topic
/// (<see cref="IProcessor.Flush"/>). Keys are kept in order, so a commit publishes in the same order every time.
/// </summary>
internal sealed class SnapshotPublisher(EventCodec codec, string topic)
{
    private readonly SortedSet<string> _changed = new(StringComparer.Ordinal);
    private bool _schemaResolved;

    /// <summary>
    /// The context under <paramref name="key"/> changed. The first change encodes a snapshot, so the schema's id is
    /// known: a registry outage then fails this record before any state changed, not a commit.
    /// </summary>
    public void Changed(string key, CustomerContext context)
    {
        if (!_schemaResolved)
        {
            codec.EncodeSnapshot(context, topic);
            _schemaResolved = true;
        }

        _changed.Add(key);
    }

    /// <summary>The context is gone (erased, merged, expired): nothing of it is published after its tombstone.</summary>
    public void Forget(string key) => _changed.Remove(key);

    /// <summary>One snapshot per changed context, as <paramref name="current"/> has it now, with its newest event time.</summary>
    public void Publish(IProcessorContext processor, Func<string, CustomerContext?> current)
    {
        foreach (var key in _changed)
        {
            if (current(key) is { } context)
            {
                processor.EmitVersioned(
                    topic, context.ContextId, codec.EncodeSnapshot(context, topic), context.AsOfMs >= 0 ? context.AsOfMs : null,
                    context.Version.ToString(CultureInfo.InvariantCulture));
            }
        }

        _changed.Clear();
    }
}
