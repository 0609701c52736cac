using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// The rule set in force, swapped whole by a reload. Tasks read it once per record, so a record is evaluated by one
/// set from start to end, never half by the old and half by the new.
/// </summary>
public sealed class LiveRuleSet(RuleSet initial)
{
    private RuleSet _current = initial ?? throw new ArgumentNullException(nameof(initial));

    public RuleSet Current => Volatile.Read(ref _current);

    public void Swap(RuleSet next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Volatile.Write(ref _current, next);
    }
}
