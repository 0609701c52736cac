using System.Numerics;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Contracts;
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
            var record = AvroSamples.Record(Contracts.Latest(contract).Schema, seed);

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
}
