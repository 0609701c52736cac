using System.Collections.Immutable;
using System.Text.Json;

namespace Customer360.Streaming.Domain.Triggers;

/// <summary>
/// The form trigger states were stored in before the compact encoding (<see cref="State.TriggerStateEncoding"/>): JSON in
/// the domain's one style (<see cref="DomainJsonContext"/>: camelCase, enums by name). Still read, so state and
/// changelogs written by earlier versions restore; no longer written.
/// </summary>
public static class TriggerStateJson
{
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
