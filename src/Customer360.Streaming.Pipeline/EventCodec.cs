using Avro.Generic;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// Decodes input records into domain events (each topic read with its contract's latest schema, so a consumer on v2
/// reads v1 data) and encodes context snapshots. Shared by the tasks of one process; the serdes are thread-safe.
/// </summary>
public sealed class EventCodec
{
    private readonly Dictionary<string, AvroDeserializer<GenericRecord>> _readers = new(StringComparer.Ordinal);
    private readonly AvroSerializer<GenericRecord> _snapshots;
    private readonly ContextSnapshotWriter _snapshotWriter;

    public EventCodec(ISchemaRegistryClient registry, AvroSerdeOptions serdeOptions, SchemaCatalog contracts, TopicCatalog topics)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics.Topics.Where(t => t.ValueSchema is not null && t.Role is TopicRole.Input or TopicRole.Table))
        {
            _readers[topic.Name] = new AvroDeserializer<GenericRecord>(registry, serdeOptions, contracts.Latest(topic.ValueSchema!).Schema);
        }

        _snapshots = new AvroSerializer<GenericRecord>(registry, serdeOptions);
        _snapshotWriter = new ContextSnapshotWriter(contracts);
        Contracts = contracts;
    }

    public SchemaCatalog Contracts { get; }

    /// <summary>Any record of a contract for <paramref name="topic"/>; blocks on the registry only for the first one.</summary>
    public byte[] Encode(GenericRecord record, string topic) => _snapshots.SerializeAsync(record, topic).GetAwaiter().GetResult();

    /// <summary>The domain event in <paramref name="value"/>, read as a record of <paramref name="sourceTopic"/>'s contract.</summary>
    public ChannelEvent Decode(string sourceTopic, byte[] value)
    {
        var reader = _readers.TryGetValue(sourceTopic, out var found)
            ? found
            : throw new PoisonRecordException($"No contract is declared for topic {sourceTopic}.");
        return ChannelEventMapper.Map(reader.Deserialize(value), sourceTopic);
    }

    /// <summary>The snapshot of a context for <paramref name="topic"/>; blocks on the registry only for the first one.</summary>
    public byte[] EncodeSnapshot(CustomerContext context, string topic) =>
        _snapshots.SerializeAsync(_snapshotWriter.Write(context), topic).GetAwaiter().GetResult();
}
