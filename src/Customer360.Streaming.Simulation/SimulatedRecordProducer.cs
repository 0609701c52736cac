using System.Globalization;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Simulation;

/// <summary>
/// Produces simulated records as a real channel would: Avro of the topic's contract through the registry, keyed by
/// the record's key, timestamped with the event time. It counts what the brokers acknowledged, so what it says it
/// produced is what reached them: records were handed to the client and forgotten, and a run with no broker answering
/// reported hundreds produced.
/// </summary>
public sealed class SimulatedRecordProducer : IDisposable
{
    /// <summary>How long a record may wait for a broker's acknowledgement (librdkafka's default is five minutes).</summary>
    private const int DeliveryTimeoutMs = 30_000;

    private readonly IProducer<string, byte[]> _producer;
    private readonly ChannelEventWriter _writer;
    private readonly AvroSerializer<GenericRecord> _serializer;
    private readonly Action<DeliveryReport<string, byte[]>> _onDelivery;
    private long _sent;
    private long _delivered;
    private long _failed;
    private Error? _firstFailure;

    public SimulatedRecordProducer(KafkaOptions kafka, ISchemaRegistryClient registry, SchemaCatalog contracts, string clientId)
    {
        var config = KafkaClientConfigs.Producer(kafka, clientId);
        config.MessageTimeoutMs ??= DeliveryTimeoutMs;
        _producer = new ProducerBuilder<string, byte[]>(config).SetLogHandler(KafkaClientLog.Discard).Build();
        _writer = new ChannelEventWriter(contracts);
        _serializer = new AvroSerializer<GenericRecord>(registry);
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstFailure, report.Error, null);
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        };
    }

    /// <summary>Records the brokers acknowledged so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public async Task ProduceAsync(SimulatedRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var value = await _serializer.SerializeAsync(_writer.Write(record.Event, record.Identifier), record.Topic, cancellationToken: cancellationToken);
        var message = new Message<string, byte[]>
        {
            Key = record.Key,
            Value = value,
            Timestamp = new Timestamp(record.Event.EventTimeMs, TimestampType.CreateTime),
        };
        // Faster than the brokers acknowledge: wait for room, as a producing application would.
        ProducerBackpressure.Produce(_producer, record.Topic, message, _onDelivery);
        _sent++;
    }

    public async Task ProduceAllAsync(IEnumerable<SimulatedRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            await ProduceAsync(record, cancellationToken);
        }

        FlushAndCheck(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until every record is acknowledged; throws, saying how many were not, when one failed or is still waiting.</summary>
    /// <exception cref="KafkaException">Records were not delivered (its reason counts them and gives the first failure).</exception>
    public void FlushAndCheck(TimeSpan timeout)
    {
        var waiting = _producer.Flush(timeout);
        var failed = Interlocked.Read(ref _failed);
        if (waiting == 0 && failed == 0)
        {
            return;
        }

        var why = _firstFailure is { } first ? first.Reason : $"no acknowledgement within {timeout.TotalSeconds:0} s";
        throw new KafkaException(new Error(
            _firstFailure?.Code ?? ErrorCode.Local_MsgTimedOut,
            string.Create(CultureInfo.InvariantCulture, $"{waiting + failed} of {_sent} records were not delivered: {why}")));
    }

    public void Dispose() => _producer.Dispose();
}
