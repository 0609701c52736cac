using System.Numerics;
using Avro;
using Customer360.Streaming.Domain.Context;
using Encoder = Avro.IO.Encoder;
using Utf8Encoding = System.Text.Encoding;

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

    /// <summary>The cart value's scale (cents), as the layout's decimal declares it, and the factor it stands for.</summary>
    private const int CartValueScale = 2;
    private const decimal CartValueFactor = 100m;

    private const int UuidLength = 36;
    private const int NullBranch = 0;
    private const int ValueBranch = 1;

    /// <summary>This thread's buffer for a string's UTF-8 bytes.</summary>
    [ThreadStatic]
    private static byte[]? _scratch;

    /// <summary>Whether <paramref name="schema"/> has the layout <see cref="Write"/> writes, and the cart value's scale.</summary>
    public static bool Writes(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Layout(schema) == KnownLayout && AvroValues.ScaleOf(((RecordSchema)schema["web"].Schema)["cartValue"].Schema) == CartValueScale;
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
        if (web.CartUpdatedMs >= 0)
        {
            encoder.WriteUnionIndex(ValueBranch);
            encoder.WriteBytes(Unscaled(web.CartValue));
        }
        else
        {
            encoder.WriteUnionIndex(NullBranch);
        }

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
        if (location.DistanceMeters is { } meters)
        {
            encoder.WriteUnionIndex(ValueBranch);
            encoder.WriteDouble(meters);
        }
        else
        {
            encoder.WriteUnionIndex(NullBranch);
        }

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

    private static void OptionalString(Encoder encoder, string? value)
    {
        if (value is null)
        {
            encoder.WriteUnionIndex(NullBranch);
            return;
        }

        encoder.WriteUnionIndex(ValueBranch);
        Utf8(encoder, value);
    }

    /// <summary>
    /// An Avro string (its UTF-8 length, then the bytes) through a buffer kept per thread: the encoder's own
    /// <c>WriteString</c> makes a new array for each of a snapshot's dozen or more strings.
    /// </summary>
    private static void Utf8(Encoder encoder, string value)
    {
        var buffer = Scratch(Utf8Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Utf8Encoding.UTF8.GetBytes(value, buffer);
        encoder.WriteLong(length);
        encoder.WriteFixed(buffer, 0, length);
    }

    /// <summary>A uuid as Avro writes it: the string of its 36-character form, lower case.</summary>
    private static void Uuid(Encoder encoder, Guid id)
    {
        var buffer = Scratch(UuidLength);
        id.TryFormat(buffer, out var length);
        encoder.WriteLong(length);
        encoder.WriteFixed(buffer, 0, length);
    }

    private static byte[] Scratch(int atLeast)
    {
        if (_scratch is null || _scratch.Length < atLeast)
        {
            _scratch = new byte[Math.Max(atLeast, 256)];
        }

        return _scratch;
    }

    private static void Timestamp(Encoder encoder, long epochMillis)
    {
        encoder.WriteUnionIndex(ValueBranch);
        encoder.WriteLong(epochMillis);
    }

    private static void StringArray<TList>(Encoder encoder, int count, TList items, Func<TList, int, string> item)
    {
        encoder.WriteArrayStart();
        encoder.SetItemCount(count);
        for (var i = 0; i < count; i++)
        {
            encoder.StartItem();
            Utf8(encoder, item(items, i));
        }

        encoder.WriteArrayEnd();
    }

    /// <summary>The decimal's unscaled value in cents, as Avro's decimal holds it: two's complement, big-endian.</summary>
    private static byte[] Unscaled(decimal amount) =>
        new BigInteger(decimal.Round(amount * CartValueFactor, 0, MidpointRounding.ToEven)).ToByteArray(isUnsigned: false, isBigEndian: true);

    private static string Layout(Schema schema) => schema switch
    {
        RecordSchema record => string.Join(' ', record.Fields.Select(f => $"{f.Name}:{Nested(f.Schema)}")),
        _ => Nested(schema),
    };

    private static string Nested(Schema schema) => schema switch
    {
        RecordSchema record => "{" + Layout(record) + "}",
        UnionSchema union => "[" + string.Join(',', union.Schemas.Select(Nested)) + "]",
        ArraySchema array => $"array<{Nested(array.ItemSchema)}>",
        MapSchema map => $"map<{Nested(map.ValueSchema)}>",
        EnumSchema symbols => $"enum<{string.Join(',', symbols.Symbols)}>",
        LogicalSchema logical => Nested(logical.BaseSchema),
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };
}
