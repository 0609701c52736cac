using System.Collections.Concurrent;
using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// Reads Confluent-framed Avro into <see cref="GenericRecord"/> or an <see cref="ISpecificRecord"/>, resolving the
/// writer's schema (by id) against the reader's, so a consumer on v2 reads v1 data. Sizes are capped before decoding
/// and failures are typed <see cref="SerdeException"/>s: permanent ones for the dead-letter queue, a registry outage
/// as transient.
/// </summary>
public sealed class AvroDeserializer<T> : IAsyncDeserializer<T>, IDeserializer<T>
{
    private readonly ISchemaRegistryClient _registry;
    private readonly AvroSerdeOptions _options;
    private readonly Schema? _readerSchema;
    private readonly UnknownSchemaIdRetry _unknownIds;
    private readonly ConcurrentDictionary<int, DatumReader<T>> _readers = new();

    /// <summary>Lookups a synchronous caller stopped waiting for, by schema id: the retry waits on the same one.</summary>
    private readonly ConcurrentDictionary<int, Task<DatumReader<T>>> _resolving = new();

    /// <summary>Ids whose schema cannot be read as the reader's, with why: a registered schema does not change.</summary>
    private readonly ConcurrentDictionary<int, string> _incompatible = new();

    /// <summary>Per schema id, the body reader last asked and whether it reads that writer's layout.</summary>
    private readonly ConcurrentDictionary<int, (object Body, bool Reads)> _bodyLayouts = new();

    /// <param name="readerSchema">Schema to read into (generic records); null reads each record with its writer's schema. Specific records use their own.</param>
    /// <param name="unknownIds">How long an id the registry does not know is retried before it is permanent; default: not at all.</param>
    public AvroDeserializer(ISchemaRegistryClient registry, AvroSerdeOptions? options = null, Schema? readerSchema = null, UnknownSchemaIdRetry? unknownIds = null)
    {
        _registry = registry;
        _unknownIds = unknownIds ?? UnknownSchemaIdRetry.None;
        _options = options ?? new AvroSerdeOptions();
        _options.EnsureValid();
        if (typeof(ISpecificRecord).IsAssignableFrom(typeof(T)))
        {
            _readerSchema = ((ISpecificRecord)Activator.CreateInstance<T>()!).Schema;
        }
        else if (typeof(T) == typeof(GenericRecord))
        {
            _readerSchema = readerSchema;
        }
        else
        {
            throw new ArgumentException($"{typeof(T).Name} is neither GenericRecord nor an ISpecificRecord.");
        }
    }

    public async Task<T> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default!;
        }

        var schemaId = CheckFraming(data.Span);
        if (!_readers.TryGetValue(schemaId, out var reader))
        {
            reader = await ResolveAsync(schemaId, CancellationToken.None);
        }

        return Decode(reader, data, schemaId, ReadRecord);
    }

    /// <summary>
    /// Synchronous path for a stream thread: free of I/O once the schema id is cached, and waiting on the registry only
    /// for the first record of a new id, at most <see cref="AvroSerdeOptions.RegistryWaitMs"/>.
    /// </summary>
    public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        isNull ? default! : Deserialize(data.ToArray());

    public T Deserialize(ReadOnlyMemory<byte> data)
    {
        var schemaId = CheckFraming(data.Span);
        return Decode(ReaderFor(schemaId), data, schemaId, ReadRecord);
    }

    /// <summary>
    /// Reads a record with <paramref name="body"/> instead of building a <typeparamref name="T"/>, when the body reader
    /// accepts its writer's schema (asked once per schema id); false leaves it to <see cref="Deserialize(ReadOnlyMemory{byte})"/>.
    /// Framing, size bounds, registry waits and decoding failures are those of <see cref="Deserialize(ReadOnlyMemory{byte})"/>.
    /// </summary>
    public bool TryReadBody<TResult>(ReadOnlyMemory<byte> data, IAvroBodyReader<TResult> body, out TResult result)
    {
        ArgumentNullException.ThrowIfNull(body);
        var schemaId = CheckFraming(data.Span);
        var reader = ReaderFor(schemaId);
        if (!_bodyLayouts.TryGetValue(schemaId, out var known) || !ReferenceEquals(known.Body, body))
        {
            known = (body, body.Reads(reader.WriterSchema));
            _bodyLayouts[schemaId] = known;
        }

        if (!known.Reads)
        {
            result = default!;
            return false;
        }

        result = Decode(body, data, schemaId, static (bodyReader, decoder) => bodyReader.Read(decoder));
        return true;
    }

    /// <summary>The schema id's reader, resolved once: free of I/O after the first record of an id.</summary>
    private DatumReader<T> ReaderFor(int schemaId) =>
        _readers.TryGetValue(schemaId, out var reader)
            ? reader
            : BoundedRegistryWait.Await(_resolving, schemaId, id => ResolveAsync(id, CancellationToken.None), _options.RegistryWait, $"schema {schemaId}", schemaId);

    private int CheckFraming(ReadOnlySpan<byte> data) =>
        data.Length > _options.MaxPayloadBytes
            ? throw new SerdeException(SerdeErrorKind.TooLarge, $"Payload of {data.Length} bytes exceeds Avro:MaxPayloadBytes ({_options.MaxPayloadBytes}).")
            : ConfluentWireFormat.ReadSchemaId(data);

    /// <summary>Made once: the method group passed per record would be a new delegate each time.</summary>
    private static readonly Func<DatumReader<T>, Decoder, T> ReadRecord = static (reader, body) => reader.Read(default!, body);

    private static TResult Decode<TReader, TResult>(TReader reader, ReadOnlyMemory<byte> data, int schemaId, Func<TReader, Decoder, TResult> read)
    {
        try
        {
            return read(reader, new BoundedBinaryDecoder(data[ConfluentWireFormat.HeaderSize..]));
        }
        catch (SerdeException ex)
        {
            throw new SerdeException(ex.Kind, ex.Message, ex) { SchemaId = schemaId };
        }
        catch (Exception ex) when (ex is AvroException or InvalidCastException or IndexOutOfRangeException or ArgumentException or FormatException)
        {
            // Apache.Avro's messages can quote values (an unknown enum symbol, say): keep only the exception type.
            throw new SerdeException(SerdeErrorKind.DecodeFailure, $"Avro body does not decode with schema {schemaId} ({ex.GetType().Name}).") { SchemaId = schemaId };
        }
    }

    private async Task<DatumReader<T>> ResolveAsync(int schemaId, CancellationToken cancellationToken)
    {
        if (_incompatible.TryGetValue(schemaId, out var known))
        {
            throw new SerdeException(SerdeErrorKind.IncompatibleSchema, known) { SchemaId = schemaId };
        }

        string json;
        try
        {
            json = await _registry.GetSchemaAsync(schemaId, cancellationToken);
        }
        catch (SchemaRegistryException ex) when (ex.IsTransient)
        {
            throw new SerdeException(SerdeErrorKind.RegistryUnavailable, $"Schema Registry unavailable fetching schema {schemaId}: {ex.Message}", ex) { SchemaId = schemaId };
        }
        catch (SchemaRegistryException ex) when (ex.RefusesCredentials)
        {
            throw SerdeException.RefusedCredentials(ex, $"fetching schema {schemaId}", schemaId);
        }
        catch (SchemaRegistryException ex) when (ex.ErrorCode == SchemaRegistryException.Codes.SchemaNotFound && _unknownIds.ShouldRetry(schemaId))
        {
            throw new SerdeException(
                SerdeErrorKind.UnknownSchemaIdRetrying,
                $"Schema id {schemaId} is unknown to the registry; retried for up to {_unknownIds.Window.TotalSeconds:0} s (SchemaRegistry:UnknownIdRetrySeconds) "
                + "before records carrying it are dead-lettered. Was the registry restored without its schemas?",
                ex) { SchemaId = schemaId };
        }
        catch (SchemaRegistryException ex) when (ex.ErrorCode == SchemaRegistryException.Codes.SchemaNotFound)
        {
            throw new SerdeException(SerdeErrorKind.UnknownSchemaId, $"Schema id {schemaId} is unknown to the registry ({ex.ErrorCode}).", ex) { SchemaId = schemaId };
        }
        catch (SchemaRegistryException ex)
        {
            // Only 40403 says the id is unknown; any other answer (a 404 without a registry's code from a URL missing its
            // path, a 400) is the settings' problem, and dead-lettering would send every input after it.
            throw new SerdeException(
                SerdeErrorKind.RegistryUnavailable,
                $"Schema Registry answered {ex.HttpStatus} ({ex.ErrorCode}) fetching schema {schemaId}, not a registry's answer about the id: check SchemaRegistry:Url (a path such as /apis/ccompat/v7 included).",
                ex) { SchemaId = schemaId };
        }

        _unknownIds.Found(schemaId);
        Schema writerSchema;
        try
        {
            writerSchema = Schema.Parse(json);
        }
        catch (AvroException ex)
        {
            // A schema that names types from its registry references (not resolved here), or that this Avro library
            // refuses: no record written with it can be read, so it is a permanent error of each such record.
            var message = _incompatible.GetOrAdd(
                schemaId, $"Schema {schemaId} from the registry does not parse on its own ({ex.GetType().Name}); schemas with references are not read.");
            throw new SerdeException(SerdeErrorKind.IncompatibleSchema, message) { SchemaId = schemaId };
        }

        var readerSchema = _readerSchema ?? writerSchema;
        DatumReader<T> reader;
        try
        {
            reader = typeof(ISpecificRecord).IsAssignableFrom(typeof(T))
                ? new SpecificDatumReader<T>(writerSchema, readerSchema)
                : new GenericDatumReader<T>(writerSchema, readerSchema);
        }
        catch (AvroException)
        {
            // Schema names only, never Apache.Avro's message: it quotes both schemas in full.
            var message = _incompatible.GetOrAdd(
                schemaId, $"Schema {schemaId} ({writerSchema.Fullname}) cannot be read as {readerSchema.Fullname}: the producer wrote another contract to this topic.");
            throw new SerdeException(SerdeErrorKind.IncompatibleSchema, message) { SchemaId = schemaId };
        }

        return _readers.GetOrAdd(schemaId, reader);
    }
}
