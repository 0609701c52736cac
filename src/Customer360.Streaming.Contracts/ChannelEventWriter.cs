using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// The inverse of <see cref="ChannelEventMapper"/>: domain events as records of the input contracts, for the
/// simulator, the demo and tests. Fields the domain does not model get neutral values (currency EUR, source FUSED).
/// </summary>
public sealed class ChannelEventWriter(SchemaCatalog contracts)
{
    private readonly RecordSchema _click = contracts.Latest("clickstream-event").Schema;
    private readonly RecordSchema _app = contracts.Latest("mobile-app-event").Schema;
    private readonly RecordSchema _fix = contracts.Latest("location-fix").Schema;
    private readonly RecordSchema _beacon = contracts.Latest("beacon-sighting").Schema;
    private readonly RecordSchema _profile = contracts.Latest("relationship-profile").Schema;
    private readonly RecordSchema _link = contracts.Latest("identity-link").Schema;
    private readonly RecordSchema _response = contracts.Latest("trigger-response").Schema;

    /// <param name="identifier">For beacon sightings: the identifier the beacon saw (<c>device:…</c> or <c>app:…</c>), the record key unless its source keyed it by customer.</param>
    public GenericRecord Write(ChannelEvent channelEvent, string? identifier = null)
    {
        ArgumentNullException.ThrowIfNull(channelEvent);
        return channelEvent switch
        {
            ClickEvent e => Fill(_click, e, r =>
            {
                r.Add("type", AvroValues.Symbol(_click, "type", e.Type));
                r.Add("anonymousId", e.AnonymousId);
                r.Add("customerId", e.CustomerId);
                r.Add("sessionId", e.SessionId);
                r.Add("url", e.Url);
                r.Add("productId", e.ProductId);
                r.Add("category", e.Category);
                r.Add("price", AvroValues.Money(_click, "price", e.Price));
                r.Add("quantity", e.Quantity);
                r.Add("cartValue", AvroValues.Money(_click, "cartValue", e.CartValue));
                r.Add("searchQuery", e.SearchQuery);
                r.Add("currency", "EUR");
            }),
            AppEvent e => Fill(_app, e, r =>
            {
                r.Add("type", AvroValues.Symbol(_app, "type", e.Type));
                r.Add("deviceId", e.DeviceId);
                r.Add("customerId", e.CustomerId);
                r.Add("appVersion", "1.0.0");
                r.Add("os", AvroValues.Symbol(_app, "os", "OTHER"));
                r.Add("screen", e.Screen);
                r.Add("triggerId", e.TriggerId);
            }),
            LocationFix e => Fill(_fix, e, r =>
            {
                r.Add("deviceId", e.DeviceId);
                r.Add("latitude", e.Latitude);
                r.Add("longitude", e.Longitude);
                r.Add("accuracyMeters", (float)e.AccuracyMeters);
                r.Add("speedMetersPerSecond", null);
                r.Add("source", AvroValues.Symbol(_fix, "source", "FUSED"));
            }),
            BeaconSighting e => Fill(_beacon, e, r =>
            {
                var (type, value) = BeaconIdentifier(identifier);
                r.Add("identifierType", AvroValues.Symbol(_beacon, "identifierType", type));
                r.Add("identifier", value);
                r.Add("beaconId", $"{e.StoreId}/{e.ZoneId}");
                r.Add("storeId", e.StoreId);
                r.Add("zoneId", e.ZoneId);
                r.Add("proximity", AvroValues.Symbol(_beacon, "proximity", e.Proximity));
                r.Add("rssi", e.Rssi);
                r.Add("sightingType", AvroValues.Symbol(_beacon, "sightingType", e.Type));
            }),
            RelationshipProfile e => Fill(_profile, e, r => Profile(r, e)),
            IdentityLink e => Fill(_link, e, r =>
            {
                r.Add("identifierType", AvroValues.Symbol(_link, "identifierType", e.Type));
                r.Add("identifierValue", e.Value);
                r.Add("customerId", e.CustomerId);
                r.Add("action", AvroValues.Symbol(_link, "action", e.Action));
            }),
            TriggerResponse e => Fill(_response, e, r =>
            {
                r.Add("triggerId", e.TriggerId);
                r.Add("customerId", e.CustomerId);
                r.Add("outcome", AvroValues.Symbol(_response, "outcome", e.Outcome));
            }),
            _ => throw new ArgumentException($"No contract for {channelEvent.GetType().Name}.", nameof(channelEvent)),
        };
    }

    private void Profile(GenericRecord r, RelationshipProfile e)
    {
        r.Add("customerId", e.CustomerId);
        r.Add("tier", AvroValues.Symbol(_profile, "tier", e.Tier));
        r.Add("segment", e.Segment);
        r.Add("lifetimeValue", AvroValues.Money(_profile, "lifetimeValue", e.LifetimeValue));
        r.Add("churnRisk", e.ChurnRisk);
        r.Add("preferredCategories", e.PreferredCategories.ToArray<object>());
        r.Add("homeStoreId", e.HomeStoreId);
        var consent = new GenericRecord(AvroValues.RecordOf(_profile, "consent"));
        consent.Add("email", e.Consent.Email);
        consent.Add("sms", e.Consent.Sms);
        consent.Add("push", e.Consent.Push);
        consent.Add("inApp", e.Consent.InApp);
        consent.Add("location", e.Consent.Location);
        r.Add("consent", consent);
        GenericRecord? quiet = null;
        if (e.QuietHours is { } hours)
        {
            quiet = new GenericRecord(AvroValues.RecordOf(_profile, "quietHours"));
            quiet.Add("startMinute", hours.StartMinute);
            quiet.Add("endMinute", hours.EndMinute);
        }

        r.Add("quietHours", quiet);
        r.Add("timeZone", e.TimeZone);
        r.Add("language", e.Language);
    }

    private static (string Type, string Value) BeaconIdentifier(string? identifier) => identifier switch
    {
        not null when identifier.StartsWith("device:", StringComparison.Ordinal) => ("DEVICE", identifier["device:".Length..]),
        not null when identifier.StartsWith("app:", StringComparison.Ordinal) => ("LOYALTY_APP", identifier["app:".Length..]),
        _ => throw new ArgumentException("A beacon sighting needs the identifier it saw: 'device:<id>' or 'app:<id>'.", nameof(identifier)),
    };

    private static GenericRecord Fill(RecordSchema schema, ChannelEvent e, Action<GenericRecord> fields)
    {
        var record = new GenericRecord(schema);
        record.Add("eventId", e.EventId);
        record.Add("eventTime", AvroValues.Timestamp(e.EventTimeMs));
        fields(record);
        return record;
    }
}
