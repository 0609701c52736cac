using System.Globalization;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;

namespace Customer360.Streaming.Testing.Avro;

/// <summary>
/// Renders decoded Avro values as language-neutral JSON for field-by-field comparison, also with other
/// implementations: timestamps as epoch milliseconds, uuids as lowercase strings, decimals as their unscaled integer,
/// bytes as hex, enums as symbols.
/// </summary>
public static class AvroRendering
{
    public static JsonNode? Render(object? value) => value switch
    {
        null => null,
        GenericRecord record => new JsonObject(record.Schema.Fields.Select(f =>
            KeyValuePair.Create(f.Name, Render(record.GetValue(f.Pos))))),
        GenericEnum enumeration => JsonValue.Create(enumeration.Value),
        GenericFixed fixedValue => JsonValue.Create(Convert.ToHexStringLower(fixedValue.Value)),
        DateTime time => JsonValue.Create(new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds()),
        Guid guid => JsonValue.Create(guid.ToString("D")),
        AvroDecimal money => JsonValue.Create(money.UnscaledValue.ToString(CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToHexStringLower(bytes)),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        float number => JsonValue.Create((double)number),
        double number => JsonValue.Create(number),
        System.Collections.IDictionary map => new JsonObject(map.Keys.Cast<string>().Order(StringComparer.Ordinal)
            .Select(k => KeyValuePair.Create(k, Render(map[k])))),
        System.Collections.IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(Render)]),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    public static string ToText(object? value) => Render(value)?.ToJsonString() ?? "null";
}
