using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// What a store event says, before it is a record or a body: presence changes and associate-assist events are both
/// store events, written either way (<see cref="TriggerRecordWriter.StoreEvent"/>, <see cref="TriggerOutputBody.WriteStoreEvent"/>).
/// </summary>
/// <param name="Type">The event type's symbol: CUSTOMER_ENTERED, CUSTOMER_LEFT, CUSTOMER_DWELLING or ASSOCIATE_ASSIST.</param>
public readonly record struct StoreEventFields(
    Guid EventId, long TimeMs, string StoreId, string? ZoneId, string Type, CustomerContext Context, int? DwellSeconds, string? TriggerId, SourceRef Source)
{
    /// <summary>Staff assisting the customer where they are: the zone they dwell in and for how long.</summary>
    public static StoreEventFields AssociateAssist(FiredTrigger fired, string storeId)
    {
        ArgumentNullException.ThrowIfNull(fired);
        var context = fired.Context;
        var dwell = context.InStore.ZoneId is { } zone ? (int?)(context.InStore.DwellMs.GetValueOrDefault(zone) / 1000) : null;
        return new StoreEventFields(
            AvroValues.NameBasedId(fired.TriggerId), fired.CreatedMs, storeId, context.InStore.ZoneId, "ASSOCIATE_ASSIST", context, dwell, fired.TriggerId, fired.Source);
    }

    /// <summary>A customer entered, left or moved within a store; <paramref name="eventId"/> names the change, made into a uuid.</summary>
    public static StoreEventFields Presence(string eventId, string type, CustomerContext context, string storeId, string? zoneId, int? dwellSeconds, long timeMs, SourceRef source) =>
        new(AvroValues.NameBasedId(eventId), timeMs, storeId, zoneId, type, context, dwellSeconds, null, source);
}
