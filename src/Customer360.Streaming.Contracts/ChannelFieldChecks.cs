using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Avro;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// What a channel contract's decoded values must be to become a domain event, whichever path decoded them (a generic
/// record, <see cref="ChannelEventMapper"/>, or the body itself, <see cref="ChannelBodyReader"/>). A value that is not is an
/// invalid value (<see cref="PoisonRecordException"/>, dead-lettered at stage "validate"); messages name the record and
/// field, never the value.
/// </summary>
internal static class ChannelFieldChecks
{
    /// <summary>An id that becomes a key somewhere (Kafka, Redis, a URL): see <see cref="EntityIds"/>.</summary>
    public static string Id(string record, string field, string id) =>
        EntityIds.Problem(id) is { } problem ? throw new PoisonRecordException($"{record}.{field} {problem}.") : id;

    public static string? OptionalId(string record, string field, string? id) => id is null ? null : Id(record, field, id);

    /// <summary>A free text of at most <paramref name="maxLength"/> characters (see <see cref="TextLimits"/>).</summary>
    public static string Text(string record, string field, string text, int maxLength) =>
        text.Length <= maxLength ? text : throw new PoisonRecordException($"{record}.{field} is longer than {maxLength} characters.");

    public static string? OptionalText(string record, string field, string? text, int maxLength) => text is null ? null : Text(record, field, text, maxLength);

    /// <summary>At most <paramref name="maxItems"/> texts of at most <paramref name="maxLength"/> characters each.</summary>
    public static IReadOnlyList<string> Texts(string record, string field, IReadOnlyList<string> texts, int maxItems, int maxLength)
    {
        if (texts.Count > maxItems)
        {
            throw new PoisonRecordException($"{record}.{field} has more than {maxItems} items.");
        }

        foreach (var text in texts)
        {
            Text(record, field, text, maxLength);
        }

        return texts;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>]: NaN and infinities are never a value.</summary>
    public static double Within(string record, string field, double value, double min, double max) =>
        value >= min && value <= max ? value : throw Invalid(record, field, $"number from {min} to {max}");

    /// <summary>A GPS accuracy radius: finite and not negative.</summary>
    public static float Accuracy(string record, string field, float value) =>
        float.IsFinite(value) && value >= 0 ? value : throw Invalid(record, field, "finite radius of 0 or more");

    /// <summary>
    /// A decimal within the precision its schema declares. Checked before converting: an unscaled value beyond
    /// .NET's decimal (about 10^28) would otherwise throw OverflowException out of the processor.
    /// </summary>
    public static decimal Money(string record, string field, AvroDecimal money, Schema fieldSchema)
    {
        var bound = DecimalBounds.GetValue(fieldSchema, static schema => new DecimalBound(PrecisionOf(schema)));
        return BigInteger.Abs(money.UnscaledValue) >= bound.Exclusive || money.Scale > 28
            ? throw Invalid(record, field, $"decimal of at most {bound.Precision} digits")
            : (decimal)money;
    }

    /// <summary>Maps an Avro enum symbol (SCREAMING_CASE) to a C# enum member (PascalCase).</summary>
    public static T Enum<T>(string record, string field, string symbol)
        where T : struct, System.Enum => EnumSymbols<T>.TryParse(symbol, out var value) ? value : throw Invalid(record, field, typeof(T).Name);

    public static PoisonRecordException Invalid(string record, string field, string expected) => new($"{record}.{field} is not a valid {expected}.");

    /// <summary>
    /// Each decimal field's bound, worked out once per schema: reading the precision property and raising ten to it
    /// for every price on every click cost more than the conversion. Weakly held, so schemas no longer used go.
    /// </summary>
    private static readonly ConditionalWeakTable<Schema, DecimalBound> DecimalBounds = new();

    private sealed class DecimalBound(int precision)
    {
        public int Precision { get; } = precision;

        public BigInteger Exclusive { get; } = BigInteger.Pow(10, precision);
    }

    private static int PrecisionOf(Schema schema) => schema switch
    {
        LogicalSchema logical when int.TryParse(logical.GetProperty("precision"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => Math.Min(p, 28),
        UnionSchema union when union.Schemas.OfType<LogicalSchema>().FirstOrDefault() is { } decimalBranch => PrecisionOf(decimalBranch),
        _ => 28,
    };

    /// <summary>
    /// Avro enum symbols as members of <typeparamref name="T"/>, each symbol parsed once: events carry one to three
    /// enums, and parsing (without underscores, ignoring case) cost more than the rest of a field. Symbols that name no
    /// member are not kept, and the kept ones are bounded, so a schema with many symbols cannot grow it without end.
    /// </summary>
    private static class EnumSymbols<T>
        where T : struct, System.Enum
    {
        private const int MaxKept = 256;
        private static readonly ConcurrentDictionary<string, T> Parsed = new(StringComparer.Ordinal);

        public static bool TryParse(string symbol, out T value)
        {
            if (Parsed.TryGetValue(symbol, out value))
            {
                return true;
            }

            // By name only: Avro's symbol _1 would otherwise be the member of value 1.
            if (!EnumNames.TryParseName(symbol.Replace("_", string.Empty, StringComparison.Ordinal), out value))
            {
                return false;
            }

            if (Parsed.Count < MaxKept)
            {
                Parsed.TryAdd(symbol, value);
            }

            return true;
        }
    }
}
