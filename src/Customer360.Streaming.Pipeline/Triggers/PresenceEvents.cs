using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Store events for store systems from the in-store part of a context change: a customer entered a store, left it,
/// or moved to another zone (dwelling there). Keyed by store; the visitor is a pseudonym. Ids derive from the
/// customer and the event's origin, so a replay emits the same ids.
/// </summary>
internal sealed class PresenceEvents(TriggerRecordWriter writer, Func<Avro.Generic.GenericRecord, string, byte[]> serialize, string topic)
{
    public IReadOnlyList<Emission> Prepare(CustomerContext before, CustomerContext after, long timeMs, SourceRef source)
    {
        var was = before.InStore;
        var now = after.InStore;
        if (!after.Known || (was.StoreId == now.StoreId && was.ZoneId == now.ZoneId))
        {
            return [];
        }

        var records = new List<Emission>(2);
        var id = $"{after.ContextId}\n{source.Topic}\n{source.Partition}\n{source.Offset}";
        if (was.StoreId is { } left && left != now.StoreId)
        {
            var stayed = (int)(was.DwellMs.Values.Sum() / 1000);
            records.Add(Record(left, writer.Presence(id + "\nleft", "CUSTOMER_LEFT", after, left, was.ZoneId, stayed, timeMs, source), timeMs));
        }

        if (now.StoreId is { } entered)
        {
            var type = was.StoreId == entered ? "CUSTOMER_DWELLING" : "CUSTOMER_ENTERED";
            records.Add(Record(entered, writer.Presence(id + "\n" + type, type, after, entered, now.ZoneId, null, timeMs, source), timeMs));
        }

        return records;
    }

    private Emission Record(string storeId, Avro.Generic.GenericRecord record, long timeMs) => new(topic, storeId, serialize(record, topic), timeMs);
}
