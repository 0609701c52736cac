using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Turns decoded input contracts into domain events, by record name. Missing or ill-typed fields are an invalid
/// value (<see cref="PoisonRecordException"/>, dead-lettered at stage "validate"), never a crash. Messages name the
/// field, never its value.
/// </summary>
public static class ChannelEventMapper
{
    public static ChannelEvent Map(GenericRecord record, string sourceTopic)
    {
        ArgumentNullException.ThrowIfNull(record);
        var r = new Fields(record);
        return record.Schema.Fullname switch
        {
            "customer360.events.ClickstreamEvent" => new ClickEvent(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<ClickType>("type"), r.Id("anonymousId"), r.OptionalId("customerId"),
                r.Text("sessionId", TextLimits.Name), r.Text("url", TextLimits.Url), r.OptionalText("productId", TextLimits.Name),
                r.OptionalText("category", TextLimits.Name), r.OptionalMoney("price"), r.Optional<int>("quantity"), r.OptionalMoney("cartValue"),
                r.OptionalText("searchQuery", TextLimits.SearchQuery)),
            "customer360.events.MobileAppEvent" => new AppEvent(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<AppEventType>("type"), r.Id("deviceId"), r.OptionalId("customerId"),
                r.OptionalText("screen", TextLimits.Name), r.OptionalId("triggerId")),
            "customer360.events.LocationFix" => new LocationFix(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Id("deviceId"), r.Within("latitude", -90, 90), r.Within("longitude", -180, 180),
                r.Accuracy("accuracyMeters")),
            "customer360.events.BeaconSighting" => new BeaconSighting(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Id("storeId"), r.Id("zoneId"), r.Enum<Proximity>("proximity"),
                r.Value<int>("rssi"), r.Enum<SightingType>("sightingType")),
            "customer360.relationship.RelationshipProfile" => Relationship(r, sourceTopic),
            "customer360.identity.IdentityLink" => new IdentityLink(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<IdentifierType>("identifierType"), r.Id("identifierValue"),
                r.Id("customerId"), r.Enum<IdentityAction>("action")),
            "customer360.triggers.TriggerResponse" => new TriggerResponse(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Id("triggerId"), r.Id("customerId"), r.Enum<ResponseOutcome>("outcome")),
            _ => throw new PoisonRecordException($"No domain event for record {record.Schema.Fullname}."),
        };
    }

    private static RelationshipProfile Relationship(Fields r, string sourceTopic)
    {
        var consent = r.Record("consent");
        var quiet = r.OptionalRecord("quietHours");
        return new RelationshipProfile(
            r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Id("customerId"), r.Symbol("tier"), r.Text("segment", TextLimits.Name),
            r.Money("lifetimeValue"), r.Within("churnRisk", 0, 1), r.Texts("preferredCategories", TextLimits.PreferredCategories, TextLimits.Name), r.OptionalId("homeStoreId"),
            new Consent(consent.Value<bool>("email"), consent.Value<bool>("sms"), consent.Value<bool>("push"), consent.Value<bool>("inApp"), consent.Value<bool>("location")),
            quiet is null ? null : new QuietHours(quiet.Value<int>("startMinute"), quiet.Value<int>("endMinute")),
            r.Text("timeZone", TextLimits.Name), r.Text("language", TextLimits.Name));
    }

    /// <summary>Typed access to a record's fields with errors that name the field; the checks are <see cref="ChannelFieldChecks"/>'.</summary>
    private sealed class Fields(GenericRecord record)
    {
        private string Name => record.Schema.Name;

        public T Value<T>(string name) => Get(name) is T value ? value : throw ChannelFieldChecks.Invalid(Name, name, typeof(T).Name);

        public T? Optional<T>(string name)
            where T : struct => Get(name) switch
            {
                null => null,
                T value => value,
                _ => throw ChannelFieldChecks.Invalid(Name, name, typeof(T).Name),
            };

        public string Text(string name, int maxLength) => ChannelFieldChecks.Text(Name, name, Value<string>(name), maxLength);

        public string? OptionalText(string name, int maxLength) => Get(name) is null ? null : Text(name, maxLength);

        public string Id(string name) => ChannelFieldChecks.Id(Name, name, Value<string>(name));

        public string? OptionalId(string name) => Get(name) is null ? null : Id(name);

        public double Within(string name, double min, double max) => ChannelFieldChecks.Within(Name, name, Value<double>(name), min, max);

        public float Accuracy(string name) => ChannelFieldChecks.Accuracy(Name, name, Value<float>(name));

        public IReadOnlyList<string> Texts(string name, int maxItems, int maxLength) => Get(name) is object[] items
            ? ChannelFieldChecks.Texts(Name, name, [.. items.Cast<string>()], maxItems, maxLength)
            : throw ChannelFieldChecks.Invalid(Name, name, "array of string");

        public Guid Uuid(string name) => Get(name) switch
        {
            Guid guid => guid,
            string text when Guid.TryParse(text, out var parsed) => parsed,
            _ => throw ChannelFieldChecks.Invalid(Name, name, "uuid"),
        };

        public long Millis(string name) => AvroTimestamps.ToEpochMillis(Get(name)) ?? throw ChannelFieldChecks.Invalid(Name, name, "timestamp-millis");

        public decimal Money(string name) =>
            Get(name) is AvroDecimal money ? ChannelFieldChecks.Money(Name, name, money, record.Schema[name].Schema) : throw ChannelFieldChecks.Invalid(Name, name, "decimal");

        public decimal? OptionalMoney(string name) => Get(name) is null ? null : Money(name);

        public string Symbol(string name) => Get(name) is GenericEnum symbol ? symbol.Value : throw ChannelFieldChecks.Invalid(Name, name, "enum");

        public T Enum<T>(string name)
            where T : struct, System.Enum => ChannelFieldChecks.Enum<T>(Name, name, Symbol(name));

        public Fields Record(string name) => Get(name) is GenericRecord nested ? new Fields(nested) : throw ChannelFieldChecks.Invalid(Name, name, "record");

        public Fields? OptionalRecord(string name) => Get(name) is null ? null : Record(name);

        private object? Get(string name) =>
            record.TryGetValue(name, out var value) ? value : throw new PoisonRecordException($"{Name} has no field '{name}'.");
    }
}
