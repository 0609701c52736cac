using Avro;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Schemas.Serdes;
using static Customer360.Streaming.Contracts.ChannelFieldChecks;
using Decoder = Avro.IO.Decoder;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Reads a click, app event, location fix or beacon sighting straight from its Avro body into the domain event, for a
/// writer whose schema has the reader's layout. Decoding a generic record first (boxed values, a record, an enum object
/// and a field enumerator per event) was a ninth of the context stage's allocations. Every field is decoded before any
/// is checked, and the checks are <see cref="ChannelFieldChecks"/>' in <see cref="ChannelEventMapper"/>'s order, so a
/// record fails here exactly as it fails there: the same kind, the same message.
/// </summary>
public sealed class ChannelBodyReader : IAvroBodyReader<ChannelEvent>
{
    /// <summary>A union [null, T]'s branches by index: <see cref="HasValue"/> indexes it as the record path indexes its branch readers.</summary>
    private static readonly bool[] UnionBranchHoldsValue = [false, true];

    private readonly RecordSchema _reader;
    private readonly string _layout;
    private readonly Func<ChannelBodyReader, Decoder, ChannelEvent> _read;
    private readonly string _sourceTopic;

    /// <summary>Each field's schema, decimal scale and enum symbols, worked out once rather than per event.</summary>
    private readonly Dictionary<string, (Schema Schema, int Scale, IList<string> Symbols)> _fields;

    private ChannelBodyReader(RecordSchema reader, Func<ChannelBodyReader, Decoder, ChannelEvent> read, string sourceTopic)
    {
        _reader = reader;
        _layout = AvroBody.Layout(reader);
        _read = read;
        _sourceTopic = sourceTopic;
        _fields = reader.Fields.ToDictionary(
            f => f.Name, f => (f.Schema, AvroValues.ScaleOf(f.Schema), f.Schema is EnumSchema symbols ? symbols.Symbols : (IList<string>)[]), StringComparer.Ordinal);
    }

    /// <summary>The reader for records of <paramref name="readerSchema"/> on <paramref name="sourceTopic"/>; null for a contract or layout it does not know.</summary>
    public static ChannelBodyReader? For(RecordSchema readerSchema, string sourceTopic)
    {
        ArgumentNullException.ThrowIfNull(readerSchema);
        Func<ChannelBodyReader, Decoder, ChannelEvent>? read = (readerSchema.Fullname, AvroBody.Layout(readerSchema)) switch
        {
            ("customer360.events.ClickstreamEvent", ClickLayout) => static (r, d) => r.Click(d),
            ("customer360.events.MobileAppEvent", AppLayout) => static (r, d) => r.App(d),
            ("customer360.events.LocationFix", LocationLayout) => static (r, d) => r.Location(d),
            ("customer360.events.BeaconSighting", BeaconLayout) => static (r, d) => r.Beacon(d),
            _ => null,
        };
        return read is null ? null : new ChannelBodyReader(readerSchema, read, sourceTopic);
    }

    /// <summary>A writer of the same layout, with its decimals at the reader's scales: its bytes read as the reader's would.</summary>
    public bool Reads(Schema writerSchema) =>
        writerSchema is RecordSchema writer && writer.Fullname == _reader.Fullname && AvroBody.Layout(writer) == _layout
        && writer.Fields.All(f => AvroValues.ScaleOf(f.Schema) == _fields[f.Name].Scale);

    public ChannelEvent Read(Decoder body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return _read(this, body);
    }

    private const string ClickLayout =
        "eventId:string eventTime:long type:enum<PAGE_VIEW,PRODUCT_VIEW,SEARCH,ADD_TO_CART,REMOVE_FROM_CART,CHECKOUT,PURCHASE> " +
        "anonymousId:string customerId:[null,string] sessionId:string url:string productId:[null,string] category:[null,string] " +
        "price:[null,bytes] quantity:[null,int] cartValue:[null,bytes] searchQuery:[null,string] currency:string";

    private const string AppLayout =
        "eventId:string eventTime:long type:enum<APP_OPEN,SCREEN_VIEW,PUSH_OPENED,PUSH_DISMISSED,APP_BACKGROUND> deviceId:string " +
        "customerId:[null,string] appVersion:string os:enum<IOS,ANDROID,OTHER> screen:[null,string] triggerId:[null,string]";

    private const string LocationLayout =
        "eventId:string eventTime:long deviceId:string latitude:double longitude:double accuracyMeters:float " +
        "speedMetersPerSecond:[null,float] source:enum<GPS,NETWORK,FUSED,WIFI>";

    private const string BeaconLayout =
        "eventId:string eventTime:long identifierType:enum<DEVICE,LOYALTY_APP> identifier:string beaconId:string storeId:string " +
        "zoneId:string proximity:enum<IMMEDIATE,NEAR,FAR,UNKNOWN> rssi:int sightingType:enum<ENTER,DWELL,EXIT,SENSOR>";

    private ClickEvent Click(Decoder d)
    {
        var (eventId, eventTime) = (Uuid(d), Millis(d));
        var type = Symbol(d, "type");
        var anonymousId = d.ReadString();
        var customerId = OptionalString(d);
        var sessionId = d.ReadString();
        var url = d.ReadString();
        var productId = OptionalString(d);
        var category = OptionalString(d);
        var price = OptionalDecimal(d, "price");
        int? quantity = HasValue(d) ? d.ReadInt() : null;
        var cartValue = OptionalDecimal(d, "cartValue");
        var searchQuery = OptionalString(d);
        d.ReadString();

        const string record = "ClickstreamEvent";
        return new ClickEvent(
            eventId, eventTime, _sourceTopic, Enum<ClickType>(record, "type", type), Id(record, "anonymousId", anonymousId), OptionalId(record, "customerId", customerId),
            Text(record, "sessionId", sessionId, TextLimits.Name), Text(record, "url", url, TextLimits.Url), OptionalText(record, "productId", productId, TextLimits.Name),
            OptionalText(record, "category", category, TextLimits.Name), Money(record, "price", price), quantity, Money(record, "cartValue", cartValue),
            OptionalText(record, "searchQuery", searchQuery, TextLimits.SearchQuery));
    }

    private AppEvent App(Decoder d)
    {
        var (eventId, eventTime) = (Uuid(d), Millis(d));
        var type = Symbol(d, "type");
        var deviceId = d.ReadString();
        var customerId = OptionalString(d);
        d.ReadString();
        Symbol(d, "os");
        var screen = OptionalString(d);
        var triggerId = OptionalString(d);

        const string record = "MobileAppEvent";
        return new AppEvent(
            eventId, eventTime, _sourceTopic, Enum<AppEventType>(record, "type", type), Id(record, "deviceId", deviceId), OptionalId(record, "customerId", customerId),
            OptionalText(record, "screen", screen, TextLimits.Name), OptionalId(record, "triggerId", triggerId));
    }

    private LocationFix Location(Decoder d)
    {
        var (eventId, eventTime) = (Uuid(d), Millis(d));
        var deviceId = d.ReadString();
        var latitude = d.ReadDouble();
        var longitude = d.ReadDouble();
        var accuracy = d.ReadFloat();
        if (HasValue(d))
        {
            d.ReadFloat();
        }

        Symbol(d, "source");

        const string record = "LocationFix";
        return new LocationFix(
            eventId, eventTime, _sourceTopic, Id(record, "deviceId", deviceId), Within(record, "latitude", latitude, -90, 90),
            Within(record, "longitude", longitude, -180, 180), Accuracy(record, "accuracyMeters", accuracy));
    }

    private BeaconSighting Beacon(Decoder d)
    {
        var (eventId, eventTime) = (Uuid(d), Millis(d));
        Symbol(d, "identifierType");
        d.ReadString();
        d.ReadString();
        var storeId = d.ReadString();
        var zoneId = d.ReadString();
        var proximity = Symbol(d, "proximity");
        var rssi = d.ReadInt();
        var sightingType = Symbol(d, "sightingType");

        const string record = "BeaconSighting";
        return new BeaconSighting(
            eventId, eventTime, _sourceTopic, Id(record, "storeId", storeId), Id(record, "zoneId", zoneId), Enum<Proximity>(record, "proximity", proximity),
            rssi, Enum<SightingType>(record, "sightingType", sightingType));
    }

    /// <summary>A uuid as the logical type reads it: a malformed one fails decoding, as it does there.</summary>
    private static Guid Uuid(Decoder d) => new(d.ReadString());

    /// <summary>A timestamp-millis as the logical type reads it (a time out of .NET's range fails decoding), in milliseconds.</summary>
    private static long Millis(Decoder d) => AvroTimestamps.ToEpochMillis(DateTime.UnixEpoch.AddMilliseconds(d.ReadLong()))!.Value;

    /// <summary>
    /// Whether a union [null, T] holds a value (branch 1). Another index fails decoding with the record path's own
    /// exception (an index past its array of branches), which a dead letter's reason names.
    /// </summary>
    private static bool HasValue(Decoder d) => UnionBranchHoldsValue[d.ReadUnionIndex()];

    private static string? OptionalString(Decoder d) => HasValue(d) ? d.ReadString() : null;

    /// <summary>
    /// The reader's symbol at the written index. An index past the symbols fails decoding as the record path fails
    /// (an AvroException, or, below zero, the symbol list's own exception), so a dead letter's reason is the same.
    /// </summary>
    private string Symbol(Decoder d, string field)
    {
        var symbols = _fields[field].Symbols;
        var index = d.ReadEnum();
        return index < symbols.Count ? symbols[index] : throw new AvroException($"Enumeration out of range: {index} of {symbols.Count} symbols.");
    }

    /// <summary>A decimal as the logical type reads it: the unscaled big-endian value at the field's scale.</summary>
    private (AvroDecimal Value, Schema Field)? OptionalDecimal(Decoder d, string field)
    {
        if (!HasValue(d))
        {
            return null;
        }

        var (schema, scale, _) = _fields[field];
        return (new AvroDecimal(new System.Numerics.BigInteger(d.ReadBytes(), isUnsigned: false, isBigEndian: true), scale), schema);
    }

    private static decimal? Money(string record, string field, (AvroDecimal Value, Schema Field)? money) =>
        money is { } m ? ChannelFieldChecks.Money(record, field, m.Value, m.Field) : null;
}
