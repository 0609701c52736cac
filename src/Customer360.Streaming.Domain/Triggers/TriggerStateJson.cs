using System.Collections.Immutable;
using System.Text.Json;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>
/// The stored form of a customer's trigger state (hygiene history, sequence marks, timers, sends awaiting a
/// response), in the domain's one JSON style (<see cref="DomainJsonContext"/>): camelCase, enums by name.
/// </summary>
public static class TriggerStateJson
{
    public static byte[] Encode(TriggerState history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return JsonSerializer.SerializeToUtf8Bytes(
            new StoredTriggerState(
                history.LastByRule.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                history.LastByGroup.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                history.Day, history.SentToday, history.LastSentMs, history.LastSentPriority,
                history.SequenceMarks.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                [.. history.Timers], [.. history.Outstanding]),
            DomainJsonContext.Default.StoredTriggerState);
    }

    public static TriggerState Decode(ReadOnlySpan<byte> json)
    {
        var stored = JsonSerializer.Deserialize(json, DomainJsonContext.Default.StoredTriggerState) ?? throw new JsonException("Stored trigger state was null.");
        return new TriggerState
        {
            LastByRule = stored.LastByRule.ToImmutableSortedDictionary(StringComparer.Ordinal),
            LastByGroup = stored.LastByGroup.ToImmutableSortedDictionary(StringComparer.Ordinal),
            Day = stored.Day,
            SentToday = stored.SentToday,
            LastSentMs = stored.LastSentMs,
            LastSentPriority = stored.LastSentPriority,
            SequenceMarks = (stored.SequenceMarks ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
            Timers = [.. stored.Timers ?? []],
            Outstanding = [.. stored.Outstanding ?? []],
        };
    }
}

/// <summary>The JSON shape of <see cref="TriggerState"/>.</summary>
/// <remarks>The later fields are optional so state written before they existed still reads.</remarks>
internal sealed record StoredTriggerState(
    Dictionary<string, long> LastByRule, Dictionary<string, long> LastByGroup, string? Day, int SentToday, long LastSentMs, int LastSentPriority,
    Dictionary<string, long>? SequenceMarks = null, List<PendingTimer>? Timers = null, List<SentTrigger>? Outstanding = null);
