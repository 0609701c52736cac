using System.Numerics;
using Avro;
using Avro.Generic;

namespace Customer360.Streaming.Testing.Avro;

/// <summary>
/// Deterministic sample records for any schema: every field filled, unions alternating between null and a value,
/// logical types as Apache.Avro represents them (DateTime, Guid, AvroDecimal). The same seed gives the same records.
/// </summary>
public static class AvroSamples
{
    public static GenericRecord Record(RecordSchema schema, int seed)
    {
        var random = new Random(seed);
        return (GenericRecord)Value(schema, random, depth: 0)!;
    }

    private static object? Value(Schema schema, Random random, int depth)
    {
        switch (schema)
        {
            case LogicalSchema logical:
                return logical.LogicalTypeName switch
                {
                    "timestamp-millis" => DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000 + random.NextInt64(0, 10_000_000_000)).UtcDateTime,
                    "uuid" => new Guid(random.NextBytes16()),
                    "decimal" => new AvroDecimal(new BigInteger(random.Next(-1_000_000, 100_000_000)), 2),
                    _ => Value(logical.BaseSchema, random, depth),
                };
            case RecordSchema record:
                var generic = new GenericRecord(record);
                foreach (var field in record.Fields)
                {
                    generic.Add(field.Name, Value(field.Schema, random, depth + 1));
                }

                return generic;
            case EnumSchema enumeration:
                return new GenericEnum(enumeration, enumeration.Symbols[random.Next(enumeration.Count)]);
            case ArraySchema array:
                return Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(array.ItemSchema, random, depth + 1)).ToArray();
            case MapSchema map:
                return Enumerable.Range(0, random.Next(0, 3)).ToDictionary(i => $"key{i}", _ => Value(map.ValueSchema, random, depth + 1));
            case UnionSchema union:
                // Alternate null and non-null branches so both get exercised across samples.
                var branches = union.Schemas.Where(s => s.Tag != Schema.Type.Null).ToList();
                return random.Next(3) == 0 && union.Schemas.Any(s => s.Tag == Schema.Type.Null)
                    ? null
                    : Value(branches[random.Next(branches.Count)], random, depth + 1);
            case FixedSchema fixedSchema:
                var bytes = new byte[fixedSchema.Size];
                random.NextBytes(bytes);
                return new GenericFixed(fixedSchema, bytes);
            case PrimitiveSchema primitive:
                return primitive.Tag switch
                {
                    Schema.Type.Null => null,
                    Schema.Type.Boolean => random.Next(2) == 1,
                    Schema.Type.Int => random.Next(-100_000, 100_000),
                    Schema.Type.Long => random.NextInt64(-10_000_000_000, 10_000_000_000),
                    // Quarters are exact in float and double, so renderings compare exactly across languages.
                    Schema.Type.Float => random.Next(-4000, 4000) / 4f,
                    Schema.Type.Double => random.Next(-400_000, 400_000) / 4d,
                    Schema.Type.Bytes => random.NextBytesOfLength(random.Next(0, 12)),
                    Schema.Type.String => $"s{depth}-{random.Next(0, 1_000_000)}-\u00e9\u4e2d",
                    _ => throw new NotSupportedException(primitive.Tag.ToString()),
                };
            default:
                throw new NotSupportedException(schema.GetType().Name);
        }
    }

    private static byte[] NextBytes16(this Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] NextBytesOfLength(this Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
