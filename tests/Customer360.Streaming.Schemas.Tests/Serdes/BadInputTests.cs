using Avro.Generic;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;
using customer360.test;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

/// <summary>Hostile or broken payloads: each gives its typed error and allocates no more than the size cap.</summary>
public sealed class BadInputTests
{
    private const int Cap = 64 * 1024;

    public static TheoryData<string, byte[], SerdeErrorKind> Payloads()
    {
        var registry = new InProcessSchemaRegistry();
        var id = registry.Store.Register("pings-value", TestPing._SCHEMA.ToString());
        byte[] Framed(params byte[] body) => [0, 0, 0, 0, (byte)id, .. body];
        return new()
        {
            { "empty value", [], SerdeErrorKind.BadFraming },
            { "4-byte value", [0, 0, 0, 1], SerdeErrorKind.BadFraming },
            { "magic byte 1", [1, 0, 0, 0, (byte)id, 2, 0x61, 2], SerdeErrorKind.BadFraming },
            { "unknown schema id", [0, 0, 0, 0x7F, 0x7F, 2, 0x61, 2], SerdeErrorKind.UnknownSchemaId },
            { "truncated body", Framed(10, 0x61, 0x62), SerdeErrorKind.DecodeFailure },
            // zig-zag varint of 2^31: a string claiming 2 GiB inside a 10-byte record.
            { "string length 2^31", Framed(0x80, 0x80, 0x80, 0x80, 0x10, 0x61), SerdeErrorKind.DecodeFailure },
            { "negative string length", Framed(0x01, 0x61), SerdeErrorKind.DecodeFailure },
            { "varint longer than 10 bytes", Framed(2, 0x61, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), SerdeErrorKind.DecodeFailure },
            { "larger than the cap", [0, 0, 0, 0, (byte)id, .. new byte[Cap]], SerdeErrorKind.TooLarge },
        };
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Deserialize_BadPayload_GivesTypedErrorWithoutAllocatingPastTheCap(string description, byte[] payload, SerdeErrorKind expected)
    {
        var registry = new InProcessSchemaRegistry();
        registry.Store.Register("pings-value", TestPing._SCHEMA.ToString());
        var deserializer = new AvroDeserializer<GenericRecord>(registry, new AvroSerdeOptions { MaxPayloadBytes = Cap });
        // Warm up the reader cache with a valid record so the measurement below sees only the bad payload.
        deserializer.Deserialize(new byte[] { 0, 0, 0, 0, 1, 2, 0x61, 2 });

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<SerdeException>(() => deserializer.Deserialize(payload));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, error.Kind);
        Assert.False(error.IsTransient, description);
        Assert.True(allocated < Cap, $"{description}: allocated {allocated} bytes");
    }

    /// <summary>
    /// Found by the generated corpus: a bit flip (or a producer using the wrong serializer) puts the id of another
    /// registered schema on a topic; Apache.Avro refused to resolve it against the topic's contract with an untyped
    /// AvroException, and the processor, failing on unclassified errors, stopped.
    /// </summary>
    [Fact]
    public void Deserialize_SchemaIdOfAnotherContract_IsAnIncompatibleSchema_AndStaysSoWithoutAskingTheRegistryAgain()
    {
        var registry = new InProcessSchemaRegistry();
        registry.Store.Register("pings-value", TestPing._SCHEMA.ToString());
        var other = registry.Store.Register("other-value", """{"type":"record","name":"Other","namespace":"elsewhere","fields":[{"name":"n","type":"long"}]}""");
        var deserializer = new AvroDeserializer<GenericRecord>(registry, new AvroSerdeOptions(), readerSchema: TestPing._SCHEMA);
        byte[] payload = [0, 0, 0, 0, (byte)other, 2];

        var first = Assert.Throws<SerdeException>(() => deserializer.Deserialize(payload));
        var calls = registry.Calls;
        var second = Assert.Throws<SerdeException>(() => deserializer.Deserialize(payload));

        Assert.Equal(SerdeErrorKind.IncompatibleSchema, first.Kind);
        Assert.False(first.IsTransient);
        Assert.Equal(other, first.SchemaId);
        Assert.Contains("elsewhere.Other", first.Message, StringComparison.Ordinal);
        Assert.Contains("customer360.test.TestPing", first.Message, StringComparison.Ordinal);
        Assert.Equal(SerdeErrorKind.IncompatibleSchema, second.Kind);
        Assert.Equal(calls, registry.Calls);
    }

    /// <summary>
    /// Found by the hostile-input test in CI: a mutated schema id landed on a schema another test had registered with a
    /// reference to a second one. The deserializer parses a writer schema on its own, so the referenced name was
    /// undefined; Apache.Avro's SchemaParseException was not classified, and the processor, failing on unclassified
    /// errors, stopped.
    /// </summary>
    [Fact]
    public void Deserialize_SchemaIdOfASchemaThatDoesNotParseOnItsOwn_IsAnIncompatibleSchema_AndStaysSoWithoutAskingTheRegistryAgain()
    {
        var registry = new InProcessSchemaRegistry();
        registry.Store.Register("pings-value", TestPing._SCHEMA.ToString());
        registry.Store.Register("address-value", """{"type":"record","name":"Address","namespace":"elsewhere","fields":[{"name":"city","type":"string"}]}""");
        var person = registry.Store.Register(
            "person-value",
            """{"type":"record","name":"Person","namespace":"elsewhere","fields":[{"name":"home","type":"elsewhere.Address"}]}""",
            [new Embedded.SchemaRegistry.SchemaReference("elsewhere.Address", "address-value", 1)]).Id;
        var deserializer = new AvroDeserializer<GenericRecord>(registry, new AvroSerdeOptions(), readerSchema: TestPing._SCHEMA);
        byte[] payload = [0, 0, 0, 0, (byte)person, 2, 0x61];

        var first = Assert.Throws<SerdeException>(() => deserializer.Deserialize(payload));
        var calls = registry.Calls;
        var second = Assert.Throws<SerdeException>(() => deserializer.Deserialize(payload));

        Assert.Equal(SerdeErrorKind.IncompatibleSchema, first.Kind);
        Assert.False(first.IsTransient);
        Assert.Equal(person, first.SchemaId);
        Assert.Contains($"Schema {person}", first.Message, StringComparison.Ordinal);
        Assert.Equal(SerdeErrorKind.IncompatibleSchema, second.Kind);
        Assert.Equal(calls, registry.Calls);
    }
}
