using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
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
                r.Text("sessionId"), r.Text("url"), r.OptionalText("productId"), r.OptionalText("category"), r.OptionalMoney("price"),
                r.Optional<int>("quantity"), r.OptionalMoney("cartValue"), r.OptionalText("searchQuery")),
            "customer360.events.MobileAppEvent" => new AppEvent(
                r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Enum<AppEventType>("type"), r.Id("deviceId"), r.OptionalId("customerId"),
                r.OptionalText("screen"), r.OptionalId("triggerId")),
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
            r.Uuid("eventId"), r.Millis("eventTime"), sourceTopic, r.Id("customerId"), r.Symbol("tier"), r.Text("segment"),
            r.Money("lifetimeValue"), r.Within("churnRisk", 0, 1), r.Texts("preferredCategories"), r.OptionalId("homeStoreId"),
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

        /// <summary>An id that becomes a key somewhere (Kafka, Redis, a URL): see <see cref="EntityIds"/>.</summary>
        public string Id(string name)
        {
            var id = Text(name);
            return EntityIds.Problem(id) is { } problem ? throw new PoisonRecordException($"{record.Schema.Name}.{name} {problem}.") : id;
        }

        public string? OptionalId(string name) => Get(name) is null ? null : Id(name);

        /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>]: NaN and infinities are never a value.</summary>
        public double Within(string name, double min, double max)
        {
            var value = Value<double>(name);
            return value >= min && value <= max ? value : throw Invalid(name, $"number from {min} to {max}");
        }

        /// <summary>A GPS accuracy radius: finite and not negative.</summary>
        public float Accuracy(string name)
        {
            var value = Value<float>(name);
            return float.IsFinite(value) && value >= 0 ? value : throw Invalid(name, "finite radius of 0 or more");
        }

        public IReadOnlyList<string> Texts(string name) => Get(name) is object[] items ? [.. items.Cast<string>()] : throw Invalid(name, "array of string");

        public Guid Uuid(string name) => Get(name) switch
        {
            Guid guid => guid,
            string text when Guid.TryParse(text, out var parsed) => parsed,
            _ => throw Invalid(name, "uuid"),
        };

        public long Millis(string name) => AvroTimestamps.ToEpochMillis(Get(name)) ?? throw Invalid(name, "timestamp-millis");

        /// <summary>
        /// A decimal within the precision its schema declares. Checked before converting: an unscaled value beyond
        /// .NET's decimal (about 10^28) would otherwise throw OverflowException out of the processor.
        /// </summary>
        public decimal Money(string name)
        {
            if (Get(name) is not AvroDecimal money)
            {
                throw Invalid(name, "decimal");
            }

            var bound = DecimalBounds.GetValue(record.Schema[name].Schema, static schema => new DecimalBound(PrecisionOf(schema)));
            if (BigInteger.Abs(money.UnscaledValue) >= bound.Exclusive || money.Scale > 28)
            {
                throw Invalid(name, $"decimal of at most {bound.Precision} digits");
            }

            return (decimal)money;
        }

        /// <summary>
        /// Each decimal field's bound, worked out once per schema: reading the precision property and raising ten to it
        /// for every price on every click cost more than the conversion. Weakly held, so schemas no longer used go.
        /// </summary>
        private static readonly ConditionalWeakTable<Schema, DecimalBound> DecimalBounds = new();

        private sealed class DecimalBound(int precision)
        {
            public int Precision { get; } = precision;

            public BigInteger Exclusive { get; } = BigInteger.Pow(10, precision);
        }

        private static int PrecisionOf(Schema schema) => schema switch
        {
            LogicalSchema logical when int.TryParse(logical.GetProperty("precision"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => Math.Min(p, 28),
            UnionSchema union when union.Schemas.OfType<LogicalSchema>().FirstOrDefault() is { } decimalBranch => PrecisionOf(decimalBranch),
            _ => 28,
        };

        public decimal? OptionalMoney(string name) => Get(name) is null ? null : Money(name);

        public string Symbol(string name) => Get(name) is GenericEnum symbol ? symbol.Value : throw Invalid(name, "enum");

        /// <summary>Maps an Avro enum symbol (SCREAMING_CASE) to a C# enum member (PascalCase).</summary>
        public T Enum<T>(string name)
            where T : struct, System.Enum => EnumSymbols<T>.TryParse(Symbol(name), out var value) ? value : throw Invalid(name, typeof(T).Name);

        public Fields Record(string name) => Get(name) is GenericRecord nested ? new Fields(nested) : throw Invalid(name, "record");

        public Fields? OptionalRecord(string name) => Get(name) is null ? null : Record(name);

        private object? Get(string name) =>
            record.TryGetValue(name, out var value) ? value : throw new PoisonRecordException($"{record.Schema.Name} has no field '{name}'.");

        private PoisonRecordException Invalid(string name, string expected) => new($"{record.Schema.Name}.{name} is not a valid {expected}.");
    }

    /// <summary>
    /// Avro enum symbols as members of <typeparamref name="T"/>, each symbol parsed once: events carry one to three
    /// enums, and parsing (without underscores, ignoring case) cost more than the rest of a field. Symbols that name no
    /// member are not kept, and the kept ones are bounded, so a schema with many symbols cannot grow it without end.
    /// </summary>
    private static class EnumSymbols<T>
        where T : struct, System.Enum
    {
        private const int MaxKept = 256;
        private static readonly ConcurrentDictionary<string, T> Parsed = new(StringComparer.Ordinal);

        public static bool TryParse(string symbol, out T value)
        {
            if (Parsed.TryGetValue(symbol, out value))
            {
                return true;
            }

            // By name only: Avro's symbol _1 would otherwise be the member of value 1.
            if (!EnumNames.TryParseName(symbol.Replace("_", string.Empty, StringComparison.Ordinal), out value))
            {
                return false;
            }

            if (Parsed.Count < MaxKept)
            {
                Parsed.TryAdd(symbol, value);
            }

            return true;
        }
    }
}
