using Avro;
using Customer360.Streaming.Domain.Context;
using static Customer360.Streaming.Contracts.AvroBody;
using Encoder = Avro.IO.Encoder;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Writes a context as the Avro body of a customer-context snapshot, field by field, the same bytes
/// <see cref="ContextSnapshotWriter.Write"/>'s record serializes to. Every changed context is published at each commit,
/// and building the record (six records, boxed values, a dictionary and arrays per context) was a fifth of what a
/// live processor allocated. It knows one layout of the schema: <see cref="Writes"/> tells whether a schema has it,
/// and for any other (a new version) the caller builds the record.
/// </summary>
public static class ContextSnapshotBody
{
    /// <summary>The fields, in order, with their Avro types (logical types and docs aside): what <see cref="Write"/> writes.</summary>
    private const string KnownLayout =
        "eventId:string eventTime:long customerId:string version:long known:boolean tier:[null,string] " +
        "segment:[null,string] homeStoreId:[null,string] web:{sessionId:[null,string] lastPageUrl:[null,string] " +
        "lastSearch:[null,string] cartItems:int cartValue:[null,bytes] cartUpdatedAt:[null,long] " +
        "recentCategories:array<string>} app:{foreground:boolean lastScreen:[null,string] lastOpenAt:[null,long]} " +
        "location:{state:enum<UNKNOWN,AWAY,NEAR_STORE,IN_STORE> nearestStoreId:[null,string] distanceMeters:[null,double] " +
        "fixTime:[null,long]} inStore:{storeId:[null,string] zoneId:[null,string] enteredAt:[null,long] " +
        "zonesVisited:array<string>} provenance:map<{sourceTopic:string eventId:string eventTime:long}>";

    /// <summary>The cart value's scale (cents), as the layout's decimal declares it.</summary>
    private const int CartValueScale = 2;

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="Write"/> writes, and the cart value's scale.</summary>
    public static bool Writes(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return AvroBody.Layout(schema) == KnownLayout && AvroValues.ScaleOf(((RecordSchema)schema["web"].Schema)["cartValue"].Schema) == CartValueScale;
    }

    /// <summary>Writes <paramref name="context"/>'s snapshot body; only for a schema <see cref="Writes"/> accepts.</summary>
    public static void Write(CustomerContext context, Encoder encoder)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(encoder);
        Uuid(encoder, ContextSnapshotWriter.SnapshotId(context.ContextId, context.Version));
        encoder.WriteLong(Math.Max(context.AsOfMs, 0));
        Utf8(encoder, context.ContextId);
        encoder.WriteLong(context.Version);
        encoder.WriteBoolean(context.Known);
        OptionalString(encoder, context.Relationship?.Tier);
        OptionalString(encoder, context.Relationship?.Segment);
        OptionalString(encoder, context.Relationship?.HomeStoreId);

        var web = context.Web;
        OptionalString(encoder, web.SessionId);
        OptionalString(encoder, web.LastPageUrl);
        OptionalString(encoder, web.LastSearch);
        encoder.WriteInt(web.ItemsInCart());
        OptionalDecimal(encoder, web.CartUpdatedMs >= 0 ? web.CartValue : null, CartValueScale);

        // The record path writes these timestamps whatever their value (-1 when never seen), so this does too.
        Timestamp(encoder, web.CartUpdatedMs);
        var categories = web.CategoryCounts((long)ContextSnapshotWriter.RecentCategoryWindow.TotalMilliseconds, context.AsOfMs);
        StringArray(encoder, categories.Count, categories, static (list, i) => list[i].Key);

        encoder.WriteBoolean(context.App.Foreground);
        OptionalString(encoder, context.App.LastScreen);
        Timestamp(encoder, context.App.LastOpenMs);

        var location = context.Location;
        // The layout pins the symbols' order, which is the domain enum's.
        encoder.WriteEnum((int)location.State);
        OptionalString(encoder, location.NearestStoreId);
        OptionalDouble(encoder, location.DistanceMeters);

        Timestamp(encoder, location.FixTimeMs);

        var inStore = context.InStore;
        OptionalString(encoder, inStore.StoreId);
        OptionalString(encoder, inStore.ZoneId);
        if (inStore.StoreId is null)
        {
            encoder.WriteUnionIndex(NullBranch);
        }
        else
        {
            Timestamp(encoder, inStore.EnteredStoreMs);
        }

        StringArray(encoder, inStore.ZonesVisited.Count, inStore.ZonesVisited, static (list, i) => list[i]);

        encoder.WriteMapStart();
        encoder.SetItemCount(context.Provenance.Count);
        foreach (var (key, provenance) in context.Provenance)
        {
            encoder.StartItem();
            Utf8(encoder, key);
            Utf8(encoder, provenance.SourceTopic);
            Uuid(encoder, provenance.EventId);
            encoder.WriteLong(provenance.EventTimeMs);
        }

        encoder.WriteMapEnd();
    }
}
