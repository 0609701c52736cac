using System.Numerics;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Contracts;

public sealed class ChannelEventMapperTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    [Theory]
    [InlineData("clickstream-event", typeof(ClickEvent))]
    [InlineData("mobile-app-event", typeof(AppEvent))]
    [InlineData("location-fix", typeof(LocationFix))]
    [InlineData("beacon-sighting", typeof(BeaconSighting))]
    [InlineData("relationship-profile", typeof(RelationshipProfile))]
    public void Map_EveryInputContract_GivesItsDomainEventForAnyValidRecord(string contract, Type expected)
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var record = Valid(AvroSamples.Record(Contracts.Latest(contract).Schema, seed));

            var mapped = ChannelEventMapper.Map(record, "topic");

            Assert.IsType(expected, mapped);
            Assert.Equal((Guid)record["eventId"], mapped.EventId);
            Assert.Equal(new DateTimeOffset((DateTime)record["eventTime"]).ToUnixTimeMilliseconds(), mapped.EventTimeMs);
        }
    }

    [Fact]
    public void Map_Clickstream_ConvertsEnumsMoneyAndOptionalFields()
    {
        var schema = Contracts.Latest("clickstream-event").Schema;
        var record = AvroSamples.Record(schema, 1);
        record.Add("type", new GenericEnum((EnumSchema)schema.Fields.Single(f => f.Name == "type").Schema, "ADD_TO_CART"));
        record.Add("cartValue", new AvroDecimal(new BigInteger(8490), 2));
        record.Add("customerId", null);

        var click = Assert.IsType<ClickEvent>(ChannelEventMapper.Map(record, "c360.clickstream.v1"));

        Assert.Equal(ClickType.AddToCart, click.Type);
        Assert.Equal(84.90m, click.CartValue);
        Assert.Null(click.CustomerId);
        Assert.Equal("c360.clickstream.v1", click.SourceTopic);
    }

    [Fact]
    public void Map_EnumSymbols_NameTheirMemberEveryTimeAndASymbolOfNoMemberIsInvalidEveryTime()
    {
        // A newer writer may know a symbol this reader's enum does not: invalid each time it comes, however many
        // valid symbols were read before it.
        var schema = Contracts.Latest("clickstream-event").Schema;
        var wider = (EnumSchema)Schema.Parse("""{"type":"enum","name":"ClickType","namespace":"customer360.events","symbols":["ADD_TO_CART","SWIPE_LEFT"]}""");
        var record = AvroSamples.Record(schema, 4);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            record.Add("type", new GenericEnum(wider, "ADD_TO_CART"));
            Assert.Equal(ClickType.AddToCart, Assert.IsType<ClickEvent>(ChannelEventMapper.Map(record, "t")).Type);

            record.Add("type", new GenericEnum(wider, "SWIPE_LEFT"));
            Assert.Equal("ClickstreamEvent.type is not a valid ClickType.", Assert.Throws<PoisonRecordException>(() => ChannelEventMapper.Map(record, "t")).Message);
        }
    }

    [Theory]
    [InlineData("_1")]
    [InlineData("_99")]
    [InlineData("_0")]
    public void Map_EnumSymbolThatIsANumber_IsInvalid_NeverTheMemberOfThatValue(string symbol)
    {
        // Avro allows a symbol such as _1. Without its underscore it is a number, and .NET's enum parser takes a
        // number as the member of that value, defined or not: a writer's _1 must not become ProductView.
        var schema = Contracts.Latest("clickstream-event").Schema;
        var numbered = (EnumSchema)Schema.Parse($$"""{"type":"enum","name":"ClickType","namespace":"customer360.events","symbols":["{{symbol}}"]}""");
        var record = AvroSamples.Record(schema, 4);
        record.Add("type", new GenericEnum(numbered, symbol));

        var failure = Assert.Throws<PoisonRecordException>(() => ChannelEventMapper.Map(record, "t"));

        Assert.Equal("ClickstreamEvent.type is not a valid ClickType.", failure.Message);
    }

    [Fact]
    public void Map_WrongTypeOrUnknownRecord_IsAnInvalidValueNamingTheField()
    {
        var record = AvroSamples.Record(Contracts.Latest("location-fix").Schema, 3);
        record.Add("latitude", "north");

        var wrongType = Assert.Throws<PoisonRecordException>(() => ChannelEventMapper.Map(record, "t"));
        var unknown = Assert.Throws<PoisonRecordException>(() => ChannelEventMapper.Map(AvroSamples.Record(Contracts.Latest("trigger").Schema, 1), "t"));

        Assert.Equal("LocationFix.latitude is not a valid Double.", wrongType.Message);
        Assert.DoesNotContain("north", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("customer360.triggers.Trigger", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clickstream-event", "cartValue", "decimal beyond .NET")]
    [InlineData("clickstream-event", "price", "decimal over the precision")]
    [InlineData("relationship-profile", "lifetimeValue", "decimal beyond .NET")]
    [InlineData("relationship-profile", "churnRisk", "NaN")]
    [InlineData("relationship-profile", "churnRisk", "+Infinity")]
    [InlineData("relationship-profile", "churnRisk", "1.5")]
    [InlineData("location-fix", "latitude", "NaN")]
    [InlineData("location-fix", "latitude", "999")]
    [InlineData("location-fix", "longitude", "-Infinity")]
    [InlineData("location-fix", "longitude", "180.5")]
    [InlineData("location-fix", "accuracyMeters", "NaN")]
    [InlineData("location-fix", "accuracyMeters", "-1")]
    [InlineData("identity-link", "customerId", "")]
    [InlineData("identity-link", "identifierValue", "a}:b")]
    [InlineData("trigger-response", "customerId", "a\u001b[31m")]
    [InlineData("clickstream-event", "anonymousId", "line\nbreak")]
    [InlineData("clickstream-event", "customerId", "{tag}")]
    [InlineData("mobile-app-event", "deviceId", " ")]
    [InlineData("beacon-sighting", "storeId", "store\r")]
    [InlineData("relationship-profile", "customerId", "too-long")]
    public void Map_ValueOutsideWhatTheContractMeans_IsAnInvalidValueNamingTheField_NeverACrash(string contract, string field, string value)
    {
        var schema = Contracts.Latest(contract).Schema;
        var record = Valid(AvroSamples.Record(schema, 7));
        record.Add(field, Hostile(schema, field, value));

        var error = Assert.Throws<PoisonRecordException>(() => ChannelEventMapper.Map(record, "t"));

        Assert.Contains($".{field} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_DecimalAtTheContractsPrecision_IsKeptExactly()
    {
        var schema = Contracts.Latest("clickstream-event").Schema;
        var record = Valid(AvroSamples.Record(schema, 2));
        record.Add("cartValue", new AvroDecimal(BigInteger.Parse("999999999999", System.Globalization.CultureInfo.InvariantCulture), 2));

        Assert.Equal(9_999_999_999.99m, Assert.IsType<ClickEvent>(ChannelEventMapper.Map(record, "t")).CartValue);
    }

    private static object? Hostile(RecordSchema schema, string field, string value)
    {
        var type = schema[field].Schema is UnionSchema union ? union.Schemas.Last() : schema[field].Schema;
        return (type, value) switch
        {
            (_, "decimal beyond .NET") => new AvroDecimal(BigInteger.Pow(10, 32), 2),
            (_, "decimal over the precision") => new AvroDecimal(BigInteger.Pow(10, 13), 2),
            ({ Tag: Schema.Type.Double }, _) => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            ({ Tag: Schema.Type.Float }, _) => float.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            (_, "too-long") => new string('x', 257),
            _ => System.Text.RegularExpressions.Regex.Unescape(value),
        };
    }

    /// <summary>The samples draw doubles from ±100,000; a fix needs coordinates on Earth and a churn risk a probability.</summary>
    private static GenericRecord Valid(GenericRecord record)
    {
        if (record.Schema.Name == "LocationFix")
        {
            record.Add("latitude", 52.5);
            record.Add("longitude", 13.25);
            record.Add("accuracyMeters", 12f);
        }

        if (record.Schema.Name == "RelationshipProfile")
        {
            record.Add("churnRisk", 0.25);
        }

        return record;
    }
}
