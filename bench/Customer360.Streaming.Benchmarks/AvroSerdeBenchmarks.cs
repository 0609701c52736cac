using Avro.Generic;
using BenchmarkDotNet.Attributes;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// Confluent-framed Avro on the hot path: a clickstream event (the most frequent input) and a customer context
/// snapshot (the largest output), after the schema id is cached, as in steady state.
/// </summary>
[MemoryDiagnoser]
public class AvroSerdeBenchmarks
{
    private AvroSerializer<GenericRecord> _serializer = null!;
    private AvroDeserializer<GenericRecord> _deserializer = null!;
    private GenericRecord _record = null!;
    private byte[] _payload = null!;

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
        _payload = _serializer.SerializeAsync(_record, "bench").GetAwaiter().GetResult();
        _deserializer.Deserialize(_payload);
    }

    [Benchmark]
    public byte[] Serialize() => _serializer.SerializeAsync(_record, "bench").GetAwaiter().GetResult();

    [Benchmark]
    public GenericRecord Deserialize() => _deserializer.Deserialize(_payload);
}
