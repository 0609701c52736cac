using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Store events for store systems, encoded from the <see cref="PresenceChange"/>s a customer's step returned.
/// Keyed by store; the visitor is a pseudonym. Ids derive from the customer and the event's origin, so a replay emits
/// the same ids.
/// </summary>
internal sealed class PresenceEvents(TriggerRecordWriter writer, Func<Avro.Generic.GenericRecord, string, byte[]> serialize, string topic)
{
    public IReadOnlyList<Emission> Encode(IReadOnlyList<PresenceChange> changes, CustomerContext context, long timeMs, SourceRef source)
    {
        if (changes.Count == 0)
        {
            return [];
        }

        var id = $"{context.ContextId}\n{source.Topic}\n{source.Partition}\n{source.Offset}";
        return [.. changes.Select(change => change.Kind switch
        {
            PresenceChangeKind.Left => Record(change.StoreId, writer.Presence(id + "\nleft", "CUSTOMER_LEFT", context, change.StoreId, change.ZoneId, change.StayedSeconds, timeMs, source), timeMs),
            _ => Record(change.StoreId, writer.Presence(id + "\n" + TypeOf(change.Kind), TypeOf(change.Kind), context, change.StoreId, change.ZoneId, null, timeMs, source), timeMs),
        })];
    }

    private static string TypeOf(PresenceChangeKind kind) => kind == PresenceChangeKind.Dwelling ? "CUSTOMER_DWELLING" : "CUSTOMER_ENTERED";

    private Emission Record(string storeId, Avro.Generic.GenericRecord record, long timeMs) => new(topic, storeId, serialize(record, topic), timeMs);
}
