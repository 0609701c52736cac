using System.Collections.Concurrent;
using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// Writes <see cref="GenericRecord"/> or <see cref="ISpecificRecord"/> values in Confluent's wire format. The schema id
/// and datum writer are resolved once per (subject, schema) and reused; only the first record of a schema talks to
/// the registry.
/// </summary>
public sealed class AvroSerializer<T> : IAsyncSerializer<T>
{
    private readonly ISchemaRegistryClient _registry;
    private readonly AvroSerdeOptions _options;
    // Keyed by topic and component, compared to the record's schema by reference: hashing a RecordSchema walks every
    // field, which cost more than the encoding itself. A topic usually carries one schema instance, so this stays tiny.
    private readonly ConcurrentDictionary<(string Topic, bool IsKey), WriterEntry[]> _writers = new();

    /// <summary>Resolutions a synchronous caller stopped waiting for: the retry waits on the same one.</summary>
    private readonly ConcurrentDictionary<(string Subject, Schema Schema), Task<WriterEntry>> _resolving = new();

    public AvroSerializer(ISchemaRegistryClient registry, AvroSerdeOptions? options = null)
    {
        _registry = registry;
        _options = options ?? new AvroSerdeOptions();
        _options.EnsureValid();
        if (!typeof(GenericRecord).IsAssignableFrom(typeof(T)) && !typeof(ISpecificRecord).IsAssignableFrom(typeof(T)))
        {
            throw new ArgumentException($"{typeof(T).Name} is neither a GenericRecord nor an ISpecificRecord.");
        }
    }

    public Task<byte[]> SerializeAsync(T data, SerializationContext context) =>
        SerializeAsync(data, context.Topic, context.Component == MessageComponentType.Key, CancellationToken.None);

    public async Task<byte[]> SerializeAsync(T data, string topic, bool isKey = false, CancellationToken cancellationToken = default)
    {
        if (data is null)
        {
            return null!;
        }

        var schema = SchemaOf(data);
        return Find(schema, topic, isKey)?.Write(data) ?? Remember(topic, isKey, await ResolveAsync(SubjectOf(topic, isKey, schema), schema, cancellationToken)).Write(data);
    }

    /// <summary>
    /// Synchronous path for a stream thread: free of I/O once the record's schema has an id, and waiting on the
    /// registry for the first record of a schema at most <see cref="AvroSerdeOptions.RegistryWaitMs"/>.
    /// </summary>
    public byte[] Serialize(T data, string topic, bool isKey = false)
    {
        if (data is null)
        {
            return null!;
        }

        return WriterFor(SchemaOf(data), topic, isKey).Write(data);
    }

    /// <summary>
    /// Frames a body the caller writes itself for <paramref name="schema"/>, resolved and waited for as
    /// <see cref="Serialize"/> does: for a hot path whose records cost more to build than to write. Null when the
    /// subject's writer schema is not <paramref name="schema"/> (<see cref="AvroSerdeOptions.UseLatestVersion"/> found
    /// another), so the caller's hand-written layout would not match it; the caller then builds the record.
    /// </summary>
    public byte[]? SerializeBody<TState>(Schema schema, string topic, TState state, Action<TState, Encoder> writeBody)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(writeBody);
        var writer = WriterFor(schema, topic, isKey: false);
        return writer.WritesItsOwnSchema ? writer.Frame(state, writeBody) : null;
    }

    private WriterEntry WriterFor(Schema schema, string topic, bool isKey)
    {
        if (Find(schema, topic, isKey) is { } known)
        {
            return known;
        }

        var resolving = (Subject: SubjectOf(topic, isKey, schema), Schema: schema);
        var resolved = BoundedRegistryWait.Await(
            _resolving, resolving, key => ResolveAsync(key.Subject, key.Schema, CancellationToken.None), _options.RegistryWait, $"subject '{resolving.Subject}'");
        return Remember(topic, isKey, resolved);
    }

    /// <summary>The writer already resolved for <paramref name="schema"/> on this topic, if any (the path without I/O).</summary>
    private WriterEntry? Find(Schema schema, string topic, bool isKey)
    {
        if (_writers.TryGetValue((topic, isKey), out var known))
        {
            foreach (var entry in known)
            {
                if (ReferenceEquals(entry.Schema, schema))
                {
                    return entry;
                }
            }
        }

        return null;
    }

    private string SubjectOf(string topic, bool isKey, Schema schema) => AvroSerdeOptions.Subject(_options.SubjectNameStrategy, topic, schema.Fullname, isKey);

    private WriterEntry Remember(string topic, bool isKey, WriterEntry writer)
    {
        _writers.AddOrUpdate((topic, isKey), [writer], (_, existing) => existing.Any(e => ReferenceEquals(e.Schema, writer.Schema)) ? existing : [.. existing, writer]);
        return writer;
    }

    private async Task<WriterEntry> ResolveAsync(string subject, Schema schema, CancellationToken cancellationToken)
    {
        try
        {
            if (_options.UseLatestVersion)
            {
                var latest = await _registry.GetLatestAsync(subject, cancellationToken);
                var latestSchema = Schema.Parse(latest.Schema);
                if (latestSchema.Fullname != schema.Fullname)
                {
                    throw new SerdeException(SerdeErrorKind.SchemaNotRegistered,
                        $"The latest schema of subject '{subject}' is {latestSchema.Fullname}, not {schema.Fullname}.");
                }

                return new WriterEntry(schema, latest.Id, CreateWriter(latestSchema));
            }

            var json = schema.ToString();
            var id = _options.AutoRegisterSchemas
                ? await _registry.RegisterAsync(subject, json, _options.NormalizeSchemas, cancellationToken)
                : (await _registry.LookupAsync(subject, json, cancellationToken)).Id;
            return new WriterEntry(schema, id, CreateWriter(schema));
        }
        catch (SchemaRegistryException ex) when (ex.IsTransient)
        {
            throw new SerdeException(SerdeErrorKind.RegistryUnavailable, $"Schema Registry unavailable resolving subject '{subject}': {ex.Message}", ex);
        }
        catch (SchemaRegistryException ex) when (ex.RefusesCredentials)
        {
            throw SerdeException.RefusedCredentials(ex, $"resolving subject '{subject}'");
        }
        catch (SchemaRegistryException ex)
        {
            throw new SerdeException(SerdeErrorKind.SchemaNotRegistered, $"No schema id for subject '{subject}': {ex.Message}", ex);
        }
    }

    private static DatumWriter<T> CreateWriter(Schema schema) =>
        typeof(ISpecificRecord).IsAssignableFrom(typeof(T)) ? new SpecificDatumWriter<T>(schema) : new GenericDatumWriter<T>(schema);

    private static Schema SchemaOf(T data) => data switch
    {
        GenericRecord generic => generic.Schema,
        ISpecificRecord specific => specific.Schema,
        _ => throw new ArgumentException($"{data!.GetType().Name} is neither a GenericRecord nor an ISpecificRecord."),
    };

    private sealed class WriterEntry(Schema schema, int schemaId, DatumWriter<T> writer)
    {
        /// <summary>The record schema this entry serves (the writer may use the latest registered one instead).</summary>
        public Schema Schema { get; } = schema;

        [ThreadStatic]
        private static MemoryStream? _buffer;

        /// <summary>Whether the writer writes <see cref="Schema"/> itself, not the latest version registered for it.</summary>
        public bool WritesItsOwnSchema => ReferenceEquals(writer.Schema, Schema);

        public byte[] Write(T data)
        {
            var buffer = Framed();
            writer.Write(data, new BinaryEncoder(buffer));
            return buffer.ToArray();
        }

        /// <summary>The schema id, then what <paramref name="writeBody"/> writes.</summary>
        public byte[] Frame<TState>(TState state, Action<TState, Encoder> writeBody)
        {
            var buffer = Framed();
            writeBody(state, new BinaryEncoder(buffer));
            return buffer.ToArray();
        }

        /// <summary>This thread's buffer, holding the framing header and ready for the body.</summary>
        private MemoryStream Framed()
        {
            var buffer = _buffer ??= new MemoryStream(256);
            buffer.SetLength(ConfluentWireFormat.HeaderSize);
            buffer.Position = ConfluentWireFormat.HeaderSize;
            ConfluentWireFormat.WriteHeader(buffer.GetBuffer(), schemaId);
            return buffer;
        }
    }
}
