using Avro;
using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;
using customer360.test;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

public sealed class AvroSerdeTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    public static TheoryData<string> ContractNames() => [.. Contracts.Names];

    [Theory]
    [MemberData(nameof(ContractNames))]
    public async Task RoundTrip_EveryContract_DecodesFieldForField(string contract)
    {
        var registry = new InProcessSchemaRegistry();
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var schema = Contracts.Latest(contract).Schema;

        for (var seed = 0; seed < 25; seed++)
        {
            var record = AvroSamples.Record(schema, seed);
            var bytes = await serializer.SerializeAsync(record, "topic-" + contract, cancellationToken: TestContext.Current.CancellationToken);
            var decoded = deserializer.Deserialize(bytes);

            Assert.Equal(AvroRendering.ToText(record), AvroRendering.ToText(decoded));
        }

        Assert.Equal(["topic-" + contract + "-value"], registry.Store.Subjects());
    }

    [Fact]
    public async Task Deserialize_SchemaResolvedOnce_LaterRecordsNeedNoRegistryCall()
    {
        var registry = new InProcessSchemaRegistry();
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        var schema = Contracts.Latest("location-fix").Schema;
        var payloads = new List<byte[]>();
        for (var seed = 0; seed < 50; seed++)
        {
            payloads.Add(await serializer.SerializeAsync(AvroSamples.Record(schema, seed), "locations", cancellationToken: TestContext.Current.CancellationToken));
        }

        var callsAfterSerializing = registry.Calls;
        payloads.ForEach(p => deserializer.Deserialize(p));

        Assert.Equal(1, callsAfterSerializing);
        Assert.Equal(2, registry.Calls);
    }

    [Fact]
    public async Task Evolution_DataWrittenWithV1_ReadWithV2ReaderGetsTheDefault()
    {
        var v1 = Schema.Parse("""{"type":"record","name":"Visit","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"}]}""");
        var v2 = (RecordSchema)Schema.Parse("""{"type":"record","name":"Visit","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"channel","type":"string","default":"web"}]}""");
        var registry = new InProcessSchemaRegistry();
        var record = new GenericRecord((RecordSchema)v1);
        record.Add("eventId", "e-1");
        var bytes = await new AvroSerializer<GenericRecord>(registry).SerializeAsync(record, "visits", cancellationToken: TestContext.Current.CancellationToken);

        await registry.RegisterAsync("visits-value", v2.ToString(), cancellationToken: TestContext.Current.CancellationToken);
        var decoded = new AvroDeserializer<GenericRecord>(registry, readerSchema: v2).Deserialize(bytes);

        Assert.Equal("e-1", decoded.GetValue(0));
        Assert.Equal("web", decoded["channel"]);
        Assert.Equal(2, registry.Store.VersionNumbers("visits-value").Count);
    }

    [Fact]
    public async Task SpecificRecord_RoundTripsThroughTheSameWireFormat()
    {
        var registry = new InProcessSchemaRegistry();
        var bytes = await new AvroSerializer<TestPing>(registry).SerializeAsync(new TestPing { EventId = "p-1", Count = 41 }, "pings", cancellationToken: TestContext.Current.CancellationToken);

        var generic = new AvroDeserializer<GenericRecord>(registry).Deserialize(bytes);
        var specific = new AvroDeserializer<TestPing>(registry).Deserialize(bytes);

        Assert.Equal(41, generic["count"]);
        Assert.Equal("p-1", specific.EventId);
        Assert.Equal(41, specific.Count);
    }

    [Theory]
    [InlineData(SubjectNameStrategy.Topic, "pings-value")]
    [InlineData(SubjectNameStrategy.Record, "customer360.test.TestPing")]
    [InlineData(SubjectNameStrategy.TopicRecord, "pings-customer360.test.TestPing")]
    public async Task Serialize_SubjectNameStrategy_RegistersUnderTheExpectedSubject(SubjectNameStrategy strategy, string subject)
    {
        var registry = new InProcessSchemaRegistry();
        await new AvroSerializer<TestPing>(registry, new AvroSerdeOptions { SubjectNameStrategy = strategy }).SerializeAsync(new TestPing(), "pings", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([subject], registry.Store.Subjects());
    }

    [Fact]
    public async Task Serialize_AutoRegisterOffAndSchemaUnregistered_FailsPermanently_ThenWorksOnceRegistered()
    {
        var registry = new InProcessSchemaRegistry();
        var serializer = new AvroSerializer<TestPing>(registry, new AvroSerdeOptions { AutoRegisterSchemas = false });

        var error = await Assert.ThrowsAsync<SerdeException>(() => serializer.SerializeAsync(new TestPing(), "pings", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(SerdeErrorKind.SchemaNotRegistered, error.Kind);
        Assert.False(error.IsTransient);

        var id = await registry.RegisterAsync("pings-value", TestPing._SCHEMA.ToString(), cancellationToken: TestContext.Current.CancellationToken);
        var bytes = await serializer.SerializeAsync(new TestPing(), "pings", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(id, ConfluentWireFormat.ReadSchemaId(bytes));
    }

    [Fact]
    public async Task SerializeBody_FramesTheCallersBodyUnderTheSchemasId_AndDeclinesWhenTheLatestRegisteredSchemaIsAnother()
    {
        var registry = new InProcessSchemaRegistry();
        Action<(string EventId, int Count), Avro.IO.Encoder> writePing = static (ping, encoder) =>
        {
            encoder.WriteString(ping.EventId);
            encoder.WriteInt(ping.Count);
        };

        var framed = new AvroSerializer<GenericRecord>(registry).SerializeBody(TestPing._SCHEMA, "pings", ("e-1", 7), writePing);
        var decoded = new AvroDeserializer<GenericRecord>(registry).Deserialize(framed!);
        Assert.Equal(("e-1", 7), ((string)decoded["eventId"], (int)decoded["count"]));

        // A newer version registered and used for writing: the caller's layout is not its layout.
        var v2 = """{"type":"record","name":"TestPing","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"count","type":"int"},{"name":"extra","type":"string","default":"x"}]}""";
        await registry.RegisterAsync("pings-value", v2, cancellationToken: TestContext.Current.CancellationToken);
        var latest = new AvroSerializer<GenericRecord>(registry, new AvroSerdeOptions { AutoRegisterSchemas = false, UseLatestVersion = true });
        Assert.Null(latest.SerializeBody(TestPing._SCHEMA, "pings", ("e-2", 8), writePing));
    }

    [Fact]
    public async Task Serialize_UseLatestVersion_WritesWithTheLatestRegisteredId()
    {
        var registry = new InProcessSchemaRegistry();
        var v2 = """{"type":"record","name":"TestPing","namespace":"customer360.test","fields":[{"name":"eventId","type":"string"},{"name":"count","type":"int"},{"name":"extra","type":"string","default":"x"}]}""";
        await registry.RegisterAsync("pings-value", TestPing._SCHEMA.ToString(), cancellationToken: TestContext.Current.CancellationToken);
        var latest = await registry.RegisterAsync("pings-value", v2, cancellationToken: TestContext.Current.CancellationToken);

        var record = new GenericRecord((RecordSchema)Schema.Parse(v2));
        record.Add("eventId", "e");
        record.Add("count", 1);
        record.Add("extra", "y");
        var bytes = await new AvroSerializer<GenericRecord>(registry, new AvroSerdeOptions { AutoRegisterSchemas = false, UseLatestVersion = true }).SerializeAsync(record, "pings", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(latest, ConfluentWireFormat.ReadSchemaId(bytes));
    }

    [Fact]
    public void Options_AutoRegisterAndUseLatestTogether_AreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new AvroSerializer<TestPing>(new InProcessSchemaRegistry(), new AvroSerdeOptions { AutoRegisterSchemas = true, UseLatestVersion = true }));

        Assert.Contains("cannot both be true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deserialize_RegistryDown_CachedIdsKeepDecoding_NewIdsFailAsTransient()
    {
        var registry = new InProcessSchemaRegistry();
        var known = await new AvroSerializer<TestPing>(registry).SerializeAsync(new TestPing { Count = 7 }, "pings", cancellationToken: TestContext.Current.CancellationToken);
        var other = await new AvroSerializer<GenericRecord>(registry).SerializeAsync(AvroSamples.Record(Contracts.Latest("trigger").Schema, 1), "triggers", cancellationToken: TestContext.Current.CancellationToken);
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        deserializer.Deserialize(known);

        registry.Available = false;

        Assert.Equal(7, deserializer.Deserialize(known)["count"]);
        var error = Assert.Throws<SerdeException>(() => deserializer.Deserialize(other));
        Assert.Equal(SerdeErrorKind.RegistryUnavailable, error.Kind);
        Assert.True(error.IsTransient);
    }
}
