using System.Collections.Immutable;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// How a customer's trigger state is kept in the trigger-history store and its changelog: the compact encoding of
/// contexts (<see cref="CompactWriter"/>) behind a format byte. Every changed state is encoded at each commit and read
/// back whenever the store's decoded copy is gone (after a restore, for the timer index), so its size and speed count
/// as the context's do.
/// <para>
/// Format 1 writes the fields in declaration order; enums go by their number (<see cref="TimerKind"/> and
/// <see cref="TriggerChannel"/> may only gain members at the end). Values written before it are JSON
/// (<see cref="TriggerStateJson"/>) and start with <c>{</c>; they are still read. Any other first byte is a format this
/// version does not know: it is refused, never guessed at.
/// </para>
/// </summary>
public static class TriggerStateEncoding
{
    /// <summary>The first byte of a format-1 value, the one written now.</summary>
    public const byte Format1 = 0x01;

    public static byte[] Encode(TriggerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var writer = CompactWriter.Reused();
        writer.Byte(Format1);
        writer.TimeBase(state.LastSentMs);
        writer.TimesByName(state.LastByRule);
        writer.TimesByName(state.LastByGroup);
        writer.String(state.Day);
        writer.Int(state.SentToday);
        writer.Int(state.LastSentPriority);
        writer.TimesByName(state.SequenceMarks);
        writer.Count(state.Timers.Count);
        foreach (var timer in state.Timers)
        {
            WriteTimer(writer, timer);
        }

        writer.Count(state.Outstanding.Count);
        foreach (var sent in state.Outstanding)
        {
            writer.String(sent.TriggerId);
            writer.String(sent.RuleId);
            writer.Int((long)sent.Channel);
            writer.Time(sent.SentMs);
            writer.Time(sent.DeadlineMs);
            writer.String(sent.OfferId);
            writer.String(sent.Segment);
        }

        return writer.ToArray();
    }

    /// <exception cref="InvalidDataException">The value is corrupt, truncated, or of a format this version does not know.</exception>
    /// <exception cref="System.Text.Json.JsonException">A JSON value of an earlier version is damaged.</exception>
    public static TriggerState Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw StoredFormat.Empty("trigger state");
        }

        return data[0] switch
        {
            Format1 => DecodeFormat1(data[1..]),
            StoredFormat.JsonDocumentStart => TriggerStateJson.Decode(data),
            var unknown => throw StoredFormat.Unknown("trigger state", unknown),
        };
    }

    private static TriggerState DecodeFormat1(ReadOnlySpan<byte> data)
    {
        var reader = new CompactReader(data);
        var lastSentMs = reader.TimeBase();
        var state = new TriggerState
        {
            LastSentMs = lastSentMs,
            LastByRule = reader.TimesByName(),
            LastByGroup = reader.TimesByName(),
            Day = reader.String(),
            SentToday = reader.Int32(),
            LastSentPriority = reader.Int32(),
            SequenceMarks = reader.TimesByName(),
            Timers = ReadTimers(ref reader),
            Outstanding = ReadOutstanding(ref reader),
        };

        return reader.AtEnd ? state : throw new InvalidDataException("A stored trigger state has bytes after its last field.");
    }

    private static void WriteTimer(CompactWriter writer, PendingTimer timer)
    {
        writer.String(timer.RuleId);
        writer.Int((long)timer.Kind);
        writer.Time(timer.DueMs);
        writer.String(timer.Source.Topic);
        writer.Int(timer.Source.Partition);
        writer.Int(timer.Source.Offset);
        writer.Guid(timer.Source.EventId);
        writer.String(timer.Place);
        writer.Count(timer.Explanation.Count);
        foreach (var trace in timer.Explanation)
        {
            writer.String(trace.Condition);
            writer.String(trace.Actual);
            writer.Byte(trace.Result switch { null => 0, false => 1, true => 2 });
        }

        writer.Bool(timer.Fired);
    }

    private static ImmutableList<PendingTimer> ReadTimers(ref CompactReader reader) => ReadList(ref reader, static (ref CompactReader r) =>
    {
        var ruleId = r.RequiredString();
        var kind = r.Int() is var k && Enum.IsDefined((TimerKind)k) ? (TimerKind)k : throw new InvalidDataException("A stored trigger state's timer kind is unknown.");
        var dueMs = r.Time();
        var source = new SourceRef(r.RequiredString(), r.Int32(), r.Int(), r.Guid());
        var place = r.String();
        var explanation = ReadExplanation(ref r);
        return new PendingTimer(ruleId, kind, dueMs, source, place, explanation, r.Bool());
    });

    private static ImmutableList<ConditionTrace> ReadExplanation(ref CompactReader reader) => ReadList(ref reader, static (ref CompactReader r) =>
    {
        var condition = r.RequiredString();
        var actual = r.RequiredString();
        bool? result = r.Byte() switch
        {
            0 => null,
            1 => false,
            2 => true,
            _ => throw new InvalidDataException("A stored trigger state's condition result is neither unknown, false nor true."),
        };
        return new ConditionTrace(condition, actual, result);
    });

    private static ImmutableList<SentTrigger> ReadOutstanding(ref CompactReader reader) => ReadList(ref reader, static (ref CompactReader r) =>
    {
        var triggerId = r.RequiredString();
        var ruleId = r.RequiredString();
        var channel = r.Int() is var c && Enum.IsDefined((TriggerChannel)c) ? (TriggerChannel)c : throw new InvalidDataException("A stored trigger state's channel is unknown.");
        return new SentTrigger(triggerId, ruleId, channel, r.Time(), r.Time(), r.String(), r.String());
    });

    /// <summary>A count, then that many elements; an empty list is the shared empty one, as a new state's are.</summary>
    private static ImmutableList<T> ReadList<T>(ref CompactReader reader, ElementReader<T> read)
    {
        var count = reader.Count();
        if (count == 0)
        {
            return [];
        }

        var list = ImmutableList.CreateBuilder<T>();
        for (; count > 0; count--)
        {
            list.Add(read(ref reader));
        }

        return list.ToImmutable();
    }

    private delegate T ElementReader<out T>(ref CompactReader reader);
}
