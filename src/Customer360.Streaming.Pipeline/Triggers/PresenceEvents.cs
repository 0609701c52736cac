using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Store events for store systems, encoded from the <see cref="PresenceChange"/>s a customer's step returned.
/// Keyed by store; the visitor is a pseudonym. Ids derive from the customer and the event's origin, so a replay emits
/// the same ids.
/// </summary>
internal sealed class PresenceEvents(TriggerEncoder encoder)
{
    public IReadOnlyList<Emission> Encode(IReadOnlyList<PresenceChange> changes, CustomerContext context, long timeMs, SourceRef source)
    {
        if (changes.Count == 0)
        {
            return [];
        }

        var id = $"{context.ContextId}\n{source.Topic}\n{source.Partition}\n{source.Offset}";
        return [.. changes.Select(change => encoder.StoreEvent(change.Kind switch
        {
            PresenceChangeKind.Left => StoreEventFields.Presence(id + "\nleft", "CUSTOMER_LEFT", context, change.StoreId, change.ZoneId, change.StayedSeconds, timeMs, source),
            _ => StoreEventFields.Presence(id + "\n" + TypeOf(change.Kind), TypeOf(change.Kind), context, change.StoreId, change.ZoneId, null, timeMs, source),
        }))];
    }

    private static string TypeOf(PresenceChangeKind kind) => kind == PresenceChangeKind.Dwelling ? "CUSTOMER_DWELLING" : "CUSTOMER_ENTERED";
}
