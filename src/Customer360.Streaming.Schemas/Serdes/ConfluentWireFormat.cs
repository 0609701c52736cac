using System.Buffers.Binary;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>
/// Confluent's framing: byte 0 is the magic byte 0, bytes 1-4 the schema id (big-endian), then the Avro body.
/// </summary>
public static class ConfluentWireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }

    /// <summary>Reads the schema id, or throws <see cref="SerdeException"/> (BadFraming) naming what is wrong.</summary>
    public static int ReadSchemaId(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderSize)
        {
            throw new SerdeException(SerdeErrorKind.BadFraming,
                $"Expected Confluent framing of at least {HeaderSize} bytes, got {payload.Length}.");
        }

        if (payload[0] != MagicByte)
        {
            throw new SerdeException(SerdeErrorKind.BadFraming, $"Magic byte was {payload[0]}, expected {MagicByte}.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(payload[1..]);
    }
}
