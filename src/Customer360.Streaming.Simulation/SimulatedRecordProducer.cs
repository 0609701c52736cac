using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Simulation;

/// <summary>
/// Produces simulated records as a real channel would: Avro of the topic's contract through the registry, keyed by
/// the record's key, timestamped with the event time.
/// </summary>
public sealed class SimulatedRecordProducer(KafkaOptions kafka, ISchemaRegistryClient registry, SchemaCatalog contracts, string clientId) : IDisposable
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(kafka, clientId)).SetLogHandler(KafkaClientLog.Discard).Build();
    private readonly ChannelEventWriter _writer = new(contracts);
    private readonly AvroSerializer<GenericRecord> _serializer = new(registry);

    public async Task ProduceAsync(SimulatedRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var value = await _serializer.SerializeAsync(_writer.Write(record.Event, record.Identifier), record.Topic, cancellationToken: cancellationToken);
        _producer.Produce(record.Topic, new Message<string, byte[]>
        {
            Key = record.Key,
            Value = value,
            Timestamp = new Timestamp(record.Event.EventTimeMs, TimestampType.CreateTime),
        });
    }

    public async Task ProduceAllAsync(IEnumerable<SimulatedRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            await ProduceAsync(record, cancellationToken);
        }

        Flush(TimeSpan.FromSeconds(30));
    }

    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose() => _producer.Dispose();
}
