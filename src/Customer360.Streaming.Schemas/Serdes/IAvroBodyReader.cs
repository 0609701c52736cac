using Avro;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// Reads the Avro body of records of a known layout straight into <typeparamref name="TResult"/>, without building a
/// generic record first (<see cref="AvroDeserializer{T}.TryReadBody"/>). A record whose writer's schema has another
/// layout is left to the record path, which resolves it against the reader's schema.
/// </summary>
public interface IAvroBodyReader<out TResult>
{
    /// <summary>Whether a body written with <paramref name="writerSchema"/> is read here; asked once per schema id.</summary>
    bool Reads(Schema writerSchema);

    /// <summary>
    /// The value in the body. Decoding errors are typed by the deserializer as a record's would be; an exception of
    /// another kind (an invalid value, say) passes through unchanged.
    /// </summary>
    TResult Read(Avro.IO.Decoder body);
}
