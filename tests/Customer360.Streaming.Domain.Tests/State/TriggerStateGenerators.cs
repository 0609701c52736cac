using CsCheck;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using static Customer360.Streaming.Domain.Tests.State.ContextGenerators;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>CsCheck generators of trigger states: every field, with the values a long-running customer's state can hold.</summary>
internal static class TriggerStateGenerators
{
    private static readonly Gen<bool?> Result = Gen.OneOf(Gen.Const((bool?)null), Gen.Const((bool?)false), Gen.Const((bool?)true));

    private static readonly Gen<PendingTimer> Timers = Gen.Select(Text, Gen.Enum<TimerKind>(), Time, Gen.Select(Text, Gen.Int[-1, 63], Gen.Long[-1, long.MaxValue], Gen.Guid), OptionalText, Gen.Select(Text, Text, Result).Array[0, 4], Gen.Bool)
        .Select(t => new PendingTimer(
            t.Item1, t.Item2, t.Item3, new SourceRef(t.Item4.Item1, t.Item4.Item2, t.Item4.Item3, t.Item4.Item4), t.Item5,
            [.. t.Item6.Select(c => new ConditionTrace(c.Item1, c.Item2, c.Item3))], t.Item7));

    private static readonly Gen<SentTrigger> Sent = Gen.Select(Text, Text, Gen.Enum<TriggerChannel>(), Time, Time, OptionalText, OptionalText)
        .Select(t => new SentTrigger(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    public static readonly Gen<TriggerState> States = Gen.Select(SortedMap(Time), SortedMap(Time), OptionalText, Gen.Int[0, 20], Time, Gen.Int[-100, 100], SortedMap(Time))
        .SelectMany(t => Gen.Select(Timers.Array[0, 5], Sent.Array[0, 8]).Select(u => new TriggerState
        {
            LastByRule = t.Item1,
            LastByGroup = t.Item2,
            Day = t.Item3,
            SentToday = t.Item4,
            LastSentMs = t.Item5,
            LastSentPriority = t.Item6,
            SequenceMarks = t.Item7,
            Timers = [.. u.Item1],
            Outstanding = [.. u.Item2],
        }));
}
