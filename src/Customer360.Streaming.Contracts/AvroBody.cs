using System.Numerics;
using Avro;
using Encoder = Avro.IO.Encoder;
using Utf8Encoding = System.Text.Encoding;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Pieces of an Avro body written field by field, each the bytes Apache.Avro's generic writer gives the same value,
/// and the layout of a schema that says whether a field-by-field writer knows it. Used where building a record per
/// output cost more than the rest of the work (snapshots, triggers, decisions).
/// </summary>
internal static class AvroBody
{
    public const int NullBranch = 0;
    public const int ValueBranch = 1;

    private const int UuidLength = 36;

    /// <summary>This thread's buffer for a string's UTF-8 bytes.</summary>
    [ThreadStatic]
    private static byte[]? _scratch;

    public static void OptionalString(Encoder encoder, string? value)
    {
        if (value is null)
        {
            encoder.WriteUnionIndex(NullBranch);
            return;
        }

        encoder.WriteUnionIndex(ValueBranch);
        Utf8(encoder, value);
    }

    public static void OptionalInt(Encoder encoder, int? value)
    {
        encoder.WriteUnionIndex(value is null ? NullBranch : ValueBranch);
        if (value is { } number)
        {
            encoder.WriteInt(number);
        }
    }

    public static void OptionalDouble(Encoder encoder, double? value)
    {
        encoder.WriteUnionIndex(value is null ? NullBranch : ValueBranch);
        if (value is { } number)
        {
            encoder.WriteDouble(number);
        }
    }

    /// <summary>A nullable decimal at <paramref name="scale"/>: see <see cref="Decimal"/>.</summary>
    public static void OptionalDecimal(Encoder encoder, decimal? amount, int scale)
    {
        encoder.WriteUnionIndex(amount is null ? NullBranch : ValueBranch);
        if (amount is { } value)
        {
            Decimal(encoder, value, scale);
        }
    }

    /// <summary>
    /// An Avro string (its UTF-8 length, then the bytes) through a buffer kept per thread: the encoder's own
    /// <c>WriteString</c> makes a new array for each string.
    /// </summary>
    public static void Utf8(Encoder encoder, string value)
    {
        var buffer = Scratch(Utf8Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Utf8Encoding.UTF8.GetBytes(value, buffer);
        encoder.WriteLong(length);
        encoder.WriteFixed(buffer, 0, length);
    }

    /// <summary>A uuid as Avro writes it: the string of its 36-character form, lower case.</summary>
    public static void Uuid(Encoder encoder, Guid id)
    {
        var buffer = Scratch(UuidLength);
        id.TryFormat(buffer, out var length);
        encoder.WriteLong(length);
        encoder.WriteFixed(buffer, 0, length);
    }

    /// <summary>A nullable timestamp's value branch; the generic writer writes it whatever the value.</summary>
    public static void Timestamp(Encoder encoder, long epochMillis)
    {
        encoder.WriteUnionIndex(ValueBranch);
        encoder.WriteLong(epochMillis);
    }

    public static void StringArray<TList>(Encoder encoder, int count, TList items, Func<TList, int, string> item)
    {
        encoder.WriteArrayStart();
        encoder.SetItemCount(count);
        for (var i = 0; i < count; i++)
        {
            encoder.StartItem();
            Utf8(encoder, item(items, i));
        }

        encoder.WriteArrayEnd();
    }

    /// <summary>
    /// A decimal's unscaled value at <paramref name="scale"/> (rounded half to even, as <see cref="AvroValues.Money"/>
    /// rounds), as Avro's decimal holds it: two's complement, big-endian.
    /// </summary>
    public static void Decimal(Encoder encoder, decimal amount, int scale)
    {
        var factor = 1m;
        for (var i = 0; i < scale; i++)
        {
            factor *= 10;
        }

        encoder.WriteBytes(new BigInteger(decimal.Round(amount * factor, 0, MidpointRounding.ToEven)).ToByteArray(isUnsigned: false, isBigEndian: true));
    }

    /// <summary>The symbols an enum's layout lists, for a layout string.</summary>
    public static string EnumLayout(IEnumerable<string> symbols) => $"enum<{string.Join(',', symbols)}>";

    /// <summary>
    /// A schema's fields in order with their Avro types (logical types and docs aside): two schemas of one layout
    /// encode a value to the same bytes, so a writer that knows the layout can write either.
    /// </summary>
    public static string Layout(Schema schema) => schema switch
    {
        RecordSchema record => string.Join(' ', record.Fields.Select(f => $"{f.Name}:{Nested(f.Schema)}")),
        _ => Nested(schema),
    };

    private static string Nested(Schema schema) => schema switch
    {
        RecordSchema record => "{" + Layout(record) + "}",
        UnionSchema union => "[" + string.Join(',', union.Schemas.Select(Nested)) + "]",
        ArraySchema array => $"array<{Nested(array.ItemSchema)}>",
        MapSchema map => $"map<{Nested(map.ValueSchema)}>",
        EnumSchema symbols => EnumLayout(symbols.Symbols),
        LogicalSchema logical => Nested(logical.BaseSchema),
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };

    private static byte[] Scratch(int atLeast)
    {
        if (_scratch is null || _scratch.Length < atLeast)
        {
            _scratch = new byte[Math.Max(atLeast, 256)];
        }

        return _scratch;
    }
}
