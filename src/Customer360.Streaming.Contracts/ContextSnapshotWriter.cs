using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// A context as a customer-context snapshot record (the public, coarser view on <c>c360.context.v1</c>; Redis holds
/// the full document). The snapshot's event id is derived from the context id and version, so a replay that re-emits
/// the same version emits the same id.
/// </summary>
public sealed class ContextSnapshotWriter(SchemaCatalog contracts)
{
    /// <summary>Categories listed in a snapshot: the most viewed within this window.</summary>
    public static readonly TimeSpan RecentCategoryWindow = TimeSpan.FromMinutes(30);

    private readonly RecordSchema _schema = contracts.Latest("customer-context").Schema;

    public RecordSchema Schema => _schema;

    public GenericRecord Write(CustomerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var record = new GenericRecord(_schema);
        record.Add("eventId", SnapshotId(context.ContextId, context.Version));
        record.Add("eventTime", AvroValues.Timestamp(Math.Max(context.AsOfMs, 0)));
        record.Add("customerId", context.ContextId);
        record.Add("version", context.Version);
        record.Add("known", context.Known);
        record.Add("tier", context.Relationship?.Tier);
        record.Add("segment", context.Relationship?.Segment);
        record.Add("homeStoreId", context.Relationship?.HomeStoreId);

        var webSchema = AvroValues.RecordOf(_schema, "web");
        var web = new GenericRecord(webSchema);
        web.Add("sessionId", context.Web.SessionId);
        web.Add("lastPageUrl", context.Web.LastPageUrl);
        web.Add("lastSearch", context.Web.LastSearch);
        web.Add("cartItems", context.Web.ItemsInCart());
        web.Add("cartValue", context.Web.CartUpdatedMs >= 0 ? AvroValues.Money(webSchema, "cartValue", context.Web.CartValue) : null);
        web.Add("cartUpdatedAt", AvroValues.Timestamp(context.Web.CartUpdatedMs));
        web.Add("recentCategories", context.Web.CategoryCounts((long)RecentCategoryWindow.TotalMilliseconds, context.AsOfMs).Select(c => (object)c.Key).ToArray());
        record.Add("web", web);

        var app = new GenericRecord(AvroValues.RecordOf(_schema, "app"));
        app.Add("foreground", context.App.Foreground);
        app.Add("lastScreen", context.App.LastScreen);
        app.Add("lastOpenAt", AvroValues.Timestamp(context.App.LastOpenMs));
        record.Add("app", app);

        var locationSchema = AvroValues.RecordOf(_schema, "location");
        var location = new GenericRecord(locationSchema);
        location.Add("state", AvroValues.Symbol(locationSchema, "state", context.Location.State));
        location.Add("nearestStoreId", context.Location.NearestStoreId);
        location.Add("distanceMeters", context.Location.DistanceMeters);
        location.Add("fixTime", AvroValues.Timestamp(context.Location.FixTimeMs));
        record.Add("location", location);

        var inStore = new GenericRecord(AvroValues.RecordOf(_schema, "inStore"));
        inStore.Add("storeId", context.InStore.StoreId);
        inStore.Add("zoneId", context.InStore.ZoneId);
        inStore.Add("enteredAt", context.InStore.StoreId is null ? null : AvroValues.Timestamp(context.InStore.EnteredStoreMs));
        inStore.Add("zonesVisited", context.InStore.ZonesVisited.Cast<object>().ToArray());
        record.Add("inStore", inStore);

        var provenanceSchema = (RecordSchema)((MapSchema)_schema["provenance"].Schema).ValueSchema;
        record.Add("provenance", context.Provenance.ToDictionary(
            p => p.Key,
            p =>
            {
                var entry = new GenericRecord(provenanceSchema);
                entry.Add("sourceTopic", p.Value.SourceTopic);
                entry.Add("eventId", p.Value.EventId.ToString());
                entry.Add("eventTime", AvroValues.Timestamp(p.Value.EventTimeMs));
                return (object)entry;
            },
            StringComparer.Ordinal));
        return record;
    }

    /// <summary>The snapshot's event id, named by context id and version.</summary>
    public static Guid SnapshotId(string contextId, long version) => AvroValues.NameBasedId($"{contextId}\n{version}");
}
