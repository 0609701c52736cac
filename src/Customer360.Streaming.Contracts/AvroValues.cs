using System.Numerics;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Domain;

namespace Customer360.Streaming.Contracts;

/// <summary>Builds field values the way Apache.Avro represents them, reading sizes and symbols from the schema.</summary>
internal static class AvroValues
{
    public static DateTime Timestamp(long epochMillis) => DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).UtcDateTime;

    public static DateTime? Timestamp(long? epochMillis) => epochMillis is >= 0 ? Timestamp(epochMillis.Value) : null;

    /// <summary>A decimal at the scale the field declares (exact cents, never a binary float).</summary>
    public static AvroDecimal? Money(RecordSchema schema, string field, decimal? value)
    {
        if (value is not { } amount)
        {
            return null;
        }

        var scale = ScaleOf(schema[field].Schema);
        var unscaled = new BigInteger(decimal.Round(amount * Pow10(scale), 0, MidpointRounding.ToEven));
        return new AvroDecimal(unscaled, scale);
    }

    /// <summary>The symbol of a C# enum member in the field's enum (PascalCase → SCREAMING_CASE).</summary>
    public static GenericEnum Symbol(RecordSchema schema, string field, Enum value) => Symbol(schema, field, Domain.EnumNames.SnakeCase(value).ToUpperInvariant());

    public static GenericEnum Symbol(RecordSchema schema, string field, string symbol)
    {
        var enumSchema = Unwrap<EnumSchema>(schema[field].Schema)
            ?? throw new ArgumentException($"{schema.Name}.{field} is not an enum.", nameof(field));
        return enumSchema.Contains(symbol)
            ? new GenericEnum(enumSchema, symbol)
            : throw new ArgumentException($"{schema.Name}.{field} has no symbol {symbol}.", nameof(symbol));
    }

    public static RecordSchema RecordOf(RecordSchema schema, string field) =>
        Unwrap<RecordSchema>(schema[field].Schema) ?? throw new ArgumentException($"{schema.Name}.{field} is not a record.", nameof(field));

    private static T? Unwrap<T>(Schema schema)
        where T : Schema => schema switch
        {
            T match => match,
            UnionSchema union => union.Schemas.OfType<T>().FirstOrDefault(),
            _ => null,
        };

    internal static int ScaleOf(Schema schema) => schema switch
    {
        LogicalSchema logical => int.Parse(logical.GetProperty("scale") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        UnionSchema union => union.Schemas.Select(ScaleOf).Max(),
        _ => 0,
    };

    /// <summary>
    /// A name-based id: an RFC 9562 version 8 UUID from the first 16 bytes of SHA-256 over <paramref name="name"/>
    /// (version and variant bits set, as the contracts' <c>logicalType: uuid</c> promises), so the same name gives
    /// the same id.
    /// </summary>
    public static Guid NameBasedId(string name) => DeterministicIds.Uuid(name);

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
