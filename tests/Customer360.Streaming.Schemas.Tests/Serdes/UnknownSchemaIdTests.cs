using Avro.Generic;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

/// <summary>
/// A registry restored empty (or restored late) does not know ids that records carry. For a while that is a registry
/// problem, not a record problem: the id is retried, and only dead-lettered once the retry window has passed.
/// </summary>
public sealed class UnknownSchemaIdTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    [Fact]
    public async Task UnknownId_IsTransientDuringTheRetryWindow_ThenPermanent_AndDecodesOnceTheRegistryKnowsItAgain()
    {
        var schema = Contracts.Latest("location-fix").Schema;
        var writer = new InProcessSchemaRegistry();
        var bytes = await new AvroSerializer<GenericRecord>(writer).SerializeAsync(AvroSamples.Record(schema, 1), "fixes", cancellationToken: TestContext.Current.CancellationToken);
        var clock = new StepClock();
        var emptyRegistry = new InProcessSchemaRegistry();
        var deserializer = new AvroDeserializer<GenericRecord>(emptyRegistry, new AvroSerdeOptions(), schema, new UnknownSchemaIdRetry(TimeSpan.FromSeconds(60), clock));

        var early = Assert.Throws<SerdeException>(() => deserializer.Deserialize(bytes));
        clock.Advance(TimeSpan.FromSeconds(59));
        var stillEarly = Assert.Throws<SerdeException>(() => deserializer.Deserialize(bytes));
        clock.Advance(TimeSpan.FromSeconds(2));
        var late = Assert.Throws<SerdeException>(() => deserializer.Deserialize(bytes));

        Assert.True(early.IsTransient);
        Assert.True(stillEarly.IsTransient);
        Assert.Contains("SchemaRegistry:UnknownIdRetrySeconds", early.Message, StringComparison.Ordinal);
        Assert.False(late.IsTransient);
        Assert.Equal(SerdeErrorKind.UnknownSchemaId, late.Kind);

        await emptyRegistry.RegisterAsync("fixes-value", schema.ToString(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("LocationFix", deserializer.Deserialize(bytes).Schema.Name);
    }

    [Fact]
    public async Task WithoutARetryWindow_AnUnknownIdIsPermanentAtOnce()
    {
        var schema = Contracts.Latest("location-fix").Schema;
        var bytes = await new AvroSerializer<GenericRecord>(new InProcessSchemaRegistry()).SerializeAsync(AvroSamples.Record(schema, 1), "fixes", cancellationToken: TestContext.Current.CancellationToken);

        var error = Assert.Throws<SerdeException>(() => new AvroDeserializer<GenericRecord>(new InProcessSchemaRegistry()).Deserialize(bytes));

        Assert.Equal(SerdeErrorKind.UnknownSchemaId, error.Kind);
    }

    private sealed class StepClock : TimeProvider
    {
        private long _ticks;

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
