using Avro.Generic;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// Decodes input records into domain events (each topic read with its contract's latest schema, so a consumer on v2
/// reads v1 data) and encodes context snapshots. Shared by the tasks of one process; the serdes are thread-safe.
/// An event dated further ahead of the processor's clock than <c>maxFutureSkew</c> is an invalid value: taken in, it
/// would become the context's newest event and make every later one late. So is a record whose Kafka timestamp is.
/// </summary>
public sealed class EventCodec : ITriggerRecordEncoder
{
    /// <summary>Made once: a method group passed per snapshot would be a new delegate each time.</summary>
    private static readonly Action<CustomerContext, Avro.IO.Encoder> WriteSnapshotBody = ContextSnapshotBody.Write;

    /// <summary>
    /// Per input topic, its contract's reader and, for the channels, the body reader that reads an event straight from
    /// its body when the writer's layout is the reader's: one lookup per event.
    /// </summary>
    private readonly Dictionary<string, (AvroDeserializer<GenericRecord> Records, ChannelBodyReader? Body)> _readers = new(StringComparer.Ordinal);
    private readonly AvroSerializer<GenericRecord> _snapshots;
    private readonly ContextSnapshotWriter _snapshotWriter;
    private readonly bool _writesSnapshotBodies;
    private readonly NamedCustomerReader _namedCustomers;
    private readonly TimeProvider _clock;

    /// <summary>The compacted tables read as inputs, on which a tombstone means "forget" (see <see cref="RefuseTimestampAhead"/>).</summary>
    private readonly HashSet<string> _tables;
    private readonly long _maxFutureSkewMs;

    public EventCodec(
        ISchemaRegistryClient registry,
        AvroSerdeOptions serdeOptions,
        SchemaCatalog contracts,
        TopicCatalog topics,
        TimeProvider? clock = null,
        TimeSpan? maxFutureSkew = null,
        UnknownSchemaIdRetry? unknownIds = null)
    {
        _clock = clock ?? TimeProvider.System;
        MaxFutureSkew = maxFutureSkew ?? DefaultMaxFutureSkew;
        _maxFutureSkewMs = (long)MaxFutureSkew.TotalMilliseconds;
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(topics);
        _tables = [.. topics.Topics.Where(t => t.Role == TopicRole.Table).Select(t => t.Name)];
        foreach (var topic in topics.Topics.Where(t => t.ValueSchema is not null && t.Role is TopicRole.Input or TopicRole.Table))
        {
            var readerSchema = contracts.Latest(topic.ValueSchema!).Schema;
            _readers[topic.Name] = (new AvroDeserializer<GenericRecord>(registry, serdeOptions, readerSchema, unknownIds), ChannelBodyReader.For(readerSchema, topic.Name));
        }

        _namedCustomers = new NamedCustomerReader(registry, serdeOptions, contracts, topics, unknownIds);
        _snapshots = new AvroSerializer<GenericRecord>(registry, serdeOptions);
        _snapshotWriter = new ContextSnapshotWriter(contracts);
        _writesSnapshotBodies = ContextSnapshotBody.Writes(_snapshotWriter.Schema);
        Contracts = contracts;
    }

    /// <summary>How far ahead of the clock an event may be dated when none is configured.</summary>
    public static readonly TimeSpan DefaultMaxFutureSkew = TimeSpan.FromMinutes(5);

    public SchemaCatalog Contracts { get; }

    /// <summary>How far ahead of the processor's clock an event, or its record's timestamp, may be dated.</summary>
    public TimeSpan MaxFutureSkew { get; }

    /// <summary>Any record of a contract for <paramref name="topic"/>; waits (bounded) on the registry only for the first one.</summary>
    public byte[] Encode(GenericRecord record, string topic)
    {
        try
        {
            return _snapshots.Serialize(record, topic);
        }
        catch (SerdeException ex)
        {
            throw ex.AsRecordFailure();
        }
    }

    /// <summary>The domain event in <paramref name="value"/>, read as a record of <paramref name="sourceTopic"/>'s contract.</summary>
    public ChannelEvent Decode(string sourceTopic, byte[] value)
    {
        var (reader, body) = _readers.TryGetValue(sourceTopic, out var found)
            ? found
            : throw new PoisonRecordException($"No contract is declared for topic {sourceTopic}.");
        ChannelEvent channelEvent;
        try
        {
            channelEvent = body is not null && reader.TryReadBody(value, body, out var read)
                ? read
                : ChannelEventMapper.Map(reader.Deserialize(value), sourceTopic);
        }
        catch (SerdeException ex)
        {
            throw ex.AsRecordFailure();
        }

        RefuseAhead(channelEvent.EventTimeMs, "eventTime");
        return channelEvent;
    }

    /// <summary>
    /// Refuses a record whose Kafka timestamp is dated further ahead than an event may be: its stage's stream time would
    /// jump there, and with it every timer of the stage's partition (the identity stage's sweep then expired every
    /// anonymous visitor; the context stage's would fire every dwell). Producers that set microseconds do this, and only
    /// the timestamp shows it: the body's eventTime can be right. Checked before the record counts for stream time.
    /// A tombstone on a table (an erasure, an identifier's links removed) is taken all the same, its timestamp
    /// disregarded (<see cref="IProcessorContext.DisregardTimestamp"/>): its only content is "forget", a legal obligation
    /// for an erasure, and dead-lettered it waited for a replay that met the same refusal until the clock caught up.
    /// </summary>
    public void RefuseTimestampAhead(StreamRecord record, IProcessorContext context)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(context);
        if (record.Value is null && _tables.Contains(record.Topic) && AheadMs(record.TimestampMs) > _maxFutureSkewMs)
        {
            context.DisregardTimestamp();
            return;
        }

        RefuseAhead(record.TimestampMs, "The record's Kafka timestamp");
    }

    private long AheadMs(long timeMs) => timeMs - _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void RefuseAhead(long timeMs, string what)
    {
        var aheadMs = AheadMs(timeMs);
        if (aheadMs > _maxFutureSkewMs)
        {
            throw new PoisonRecordException(
                $"{what} is {aheadMs / 1000} s ahead of the processor's clock, more than Context:MaxFutureSkewSeconds ({_maxFutureSkewMs / 1000}) allows.");
        }
    }

    /// <summary>
    /// The customer a channel record names itself (a signed-in click or app event), reading nothing else of it: null
    /// when the contract has no customer id or the record leaves it null. See <see cref="NamedCustomerReader"/>.
    /// </summary>
    public string? NamedCustomer(string sourceTopic, byte[] value) => _namedCustomers.Read(sourceTopic, value);

    /// <summary>
    /// The snapshot of a context for <paramref name="topic"/>; waits (bounded) on the registry only for the first one.
    /// Written field by field when the contract has the layout <see cref="ContextSnapshotBody"/> knows, else built as a record.
    /// </summary>
    public byte[] EncodeSnapshot(CustomerContext context, string topic) =>
        (_writesSnapshotBodies ? EncodeBody(_snapshotWriter.Schema, topic, context, WriteSnapshotBody) : null)
        ?? Encode(_snapshotWriter.Write(context), topic);

    /// <summary>
    /// A record of <paramref name="schema"/> for <paramref name="topic"/> that <paramref name="writeBody"/> writes field
    /// by field, framed as <see cref="Encode"/> frames one; null when the topic's writer uses another schema (the latest
    /// registered version, see <see cref="AvroSerdeOptions.UseLatestVersion"/>), and the caller then builds the record.
    /// </summary>
    public byte[]? EncodeBody<T>(Avro.RecordSchema schema, string topic, T value, Action<T, Avro.IO.Encoder> writeBody)
    {
        try
        {
            return _snapshots.SerializeBody(schema, topic, value, writeBody);
        }
        catch (SerdeException ex)
        {
            throw ex.AsRecordFailure();
        }
    }
}
