using Avro.Generic;
using BenchmarkDotNet.Attributes;
using Confluent.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;
using ConfluentDeserializer = Confluent.SchemaRegistry.Serdes.AvroDeserializer<Avro.Generic.GenericRecord>;
using ConfluentRegistryClient = Confluent.SchemaRegistry.CachedSchemaRegistryClient;
using ConfluentSerializer = Confluent.SchemaRegistry.Serdes.AvroSerializer<Avro.Generic.GenericRecord>;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// Confluent-framed Avro on the hot path: a clickstream event (the most frequent input) and a customer context
/// snapshot (the largest output), after the schema id is cached, as in steady state. Confluent's own
/// <c>AvroSerializer</c>/<c>AvroDeserializer</c> (Confluent.SchemaRegistry.Serdes.Avro) run beside ours on the same
/// records, their registry client pointed at the embedded registry: a peer for comparison only, which the product
/// does not reference.
/// </summary>
[MemoryDiagnoser]
public class AvroSerdeBenchmarks
{
    private const string Topic = "bench";
    private static readonly SerializationContext ValueContext = new(MessageComponentType.Value, Topic);

    private AvroSerializer<GenericRecord> _serializer = null!;
    private AvroDeserializer<GenericRecord> _deserializer = null!;
    private GenericRecord _record = null!;
    private byte[] _payload = null!;
    private EmbeddedSchemaRegistry _registry = null!;
    private ConfluentRegistryClient _confluentClient = null!;
    private ConfluentSerializer _confluentSerializer = null!;
    private ConfluentDeserializer _confluentDeserializer = null!;
    private byte[] _confluentPayload = null!;

    [Params("clickstream-event", "customer-context")]
    public string Contract { get; set; } = "clickstream-event";

    [GlobalSetup]
    public void Setup()
    {
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var registry = new InProcessSchemaRegistry();
        _serializer = new AvroSerializer<GenericRecord>(registry);
        _deserializer = new AvroDeserializer<GenericRecord>(registry);
        _record = AvroSamples.Record(contracts.Latest(Contract).Schema, seed: 7);
        _payload = _serializer.SerializeAsync(_record, Topic).GetAwaiter().GetResult();
        _deserializer.Deserialize(_payload);

        _registry = EmbeddedSchemaRegistry.StartAsync(port: 0).GetAwaiter().GetResult();
        _confluentClient = new ConfluentRegistryClient(new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = _registry.Url.ToString() });
        _confluentSerializer = new ConfluentSerializer(_confluentClient);
        _confluentDeserializer = new ConfluentDeserializer(_confluentClient);
        _confluentPayload = ConfluentSerialize();
        ConfluentDeserialize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _confluentClient.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public byte[] Serialize() => _serializer.SerializeAsync(_record, Topic).GetAwaiter().GetResult();

    [Benchmark]
    public GenericRecord Deserialize() => _deserializer.Deserialize(_payload);

    [Benchmark]
    public byte[] ConfluentSerialize() => _confluentSerializer.SerializeAsync(_record, ValueContext).GetAwaiter().GetResult();

    [Benchmark]
    public GenericRecord ConfluentDeserialize() => _confluentDeserializer.DeserializeAsync(_confluentPayload, isNull: false, ValueContext).GetAwaiter().GetResult();
}
