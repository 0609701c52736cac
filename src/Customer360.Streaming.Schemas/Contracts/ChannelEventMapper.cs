using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Schemas.Contracts;

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
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<ClickType>("type"), r.Text("anonymousId"), r.OptionalText("customerId"),
                r.Text("sessionId"), r.Text("url"), r.OptionalText("productId"), r.OptionalText("category"), r.OptionalMoney("price"),
                r.Optional<int>("quantity"), r.OptionalMoney("cartValue"), r.OptionalText("searchQuery")),
            "customer360.events.MobileAppEvent" => new AppEvent(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<AppEventType>("type"), r.Text("deviceId"), r.OptionalText("customerId"),
                r.OptionalText("screen"), r.OptionalText("triggerId")),
            "customer360.events.LocationFix" => new LocationFix(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Text("deviceId"), r.Value<double>("latitude"), r.Value<double>("longitude"),
                r.Value<float>("accuracyMeters")),
            "customer360.events.BeaconSighting" => new BeaconSighting(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Text("storeId"), r.Text("zoneId"), r.Enum<Proximity>("proximity"),
                r.Value<int>("rssi"), r.Enum<SightingType>("sightingType")),
            "customer360.relationship.RelationshipProfile" => Relationship(r, sourceTopic),
            "customer360.identity.IdentityLink" => new IdentityLink(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<IdentifierType>("identifierType"), r.Text("identifierValue"),
                r.Text("customerId"), r.Enum<IdentityAction>("action")),
            "customer360.triggers.TriggerResponse" => new TriggerResponse(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Text("triggerId"), r.Text("customerId"), r.Enum<ResponseOutcome>("outcome")),
            _ => throw new PoisonRecordException($"No domain event for record {record.Schema.Fullname}."),
        };
    }

    private static RelationshipProfile Relationship(Fields r, string sourceTopic)
    {
        var consent = r.Record("consent");
        var quiet = r.OptionalRecord("quietHours");
        return new RelationshipProfile(
            r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Text("customerId"), r.Symbol("tier"), r.Text("segment"),
            r.Money("lifetimeValue"), r.Value<double>("churnRisk"), r.Texts("preferredCategories"), r.OptionalText("homeStoreId"),
            new Consent(consent.Value<bool>("email"), consent.Value<bool>("sms"), consent.Value<bool>("push"), consent.Value<bool>("inApp"), consent.Value<bool>("location")),
            quiet is null ? null : new QuietHours(quiet.Value<int>("startMinute"), quiet.Value<int>("endMinute")),
            r.Text("timeZone"), r.Text("language"));
    }

    /// <summary>Typed access to a record's fields with errors that name the field.</summary>
    private sealed class Fields(GenericRecord record)
    {
        public T Value<T>(string name) => Get(name) is T value ? value : throw Invalid(name, typeof(T).Name);

        public T? Optional<T>(string name)
            where T : struct => Get(name) switch
            {
                null => null,
                T value => value,
                _ => throw Invalid(name, typeof(T).Name),
            };

        public string Text(string name) => Value<string>(name);

        public string? OptionalText(string name) => Get(name) is null ? null : Text(name);

        public IReadOnlyList<string> Texts(string name) => Get(name) is object[] items ? [.. items.Cast<string>()] : throw Invalid(name, "array of string");

        public Guid Uuid(string name) => Get(name) switch
        {
            Guid guid => guid,
            string text when Guid.TryParse(text, out var parsed) => parsed,
            _ => throw Invalid(name, "uuid"),
        };

        public long Millis(string name) => AvroTimestamps.ToEpochMillis(Get(name)) ?? throw Invalid(name, "timestamp-millis");

        public decimal Money(string name) => Get(name) is AvroDecimal money ? (decimal)money : throw Invalid(name, "decimal");

        public decimal? OptionalMoney(string name) => Get(name) is null ? null : Money(name);

        public string Symbol(string name) => Get(name) is GenericEnum symbol ? symbol.Value : throw Invalid(name, "enum");

        /// <summary>Maps an Avro enum symbol (SCREAMING_CASE) to a C# enum member (PascalCase).</summary>
        public T Enum<T>(string name)
            where T : struct, System.Enum
        {
            var symbol = Symbol(name).Replace("_", string.Empty, StringComparison.Ordinal);
            return System.Enum.TryParse<T>(symbol, ignoreCase: true, out var value) ? value : throw Invalid(name, typeof(T).Name);
        }

        public Fields Record(string name) => Get(name) is GenericRecord nested ? new Fields(nested) : throw Invalid(name, "record");

        public Fields? OptionalRecord(string name) => Get(name) is null ? null : Record(name);

        private object? Get(string name) =>
            record.TryGetValue(name, out var value) ? value : throw new PoisonRecordException($"{record.Schema.Name} has no field '{name}'.");

        private PoisonRecordException Invalid(string name, string expected) => new($"{record.Schema.Name}.{name} is not a valid {expected}.");
    }
}
