using System.Text;
using System.Text.Json;
using Avro;
using Avro.Generic;
using Avro.IO;

namespace Customer360.Streaming.Contracts;

/// <summary>One record of an events file.</summary>
/// <param name="Line">1-based line in the file, for error messages.</param>
/// <param name="TimestampMs">The record timestamp: the line's <c>timestamp</c>, else the value's <c>eventTime</c>.</param>
public sealed record JsonLineRecord(int Line, string Topic, string? Key, GenericRecord Value, long TimestampMs);

/// <summary>A line of an events file that could not be read, and why (never the line's content: it may hold personal data).</summary>
public sealed record JsonLineError(int Line, string Reason);

/// <summary>
/// Events files: JSON Lines, one record per line, <c>{"topic": "...", "key": "...", "timestamp": 1790000000000, "value": {...}}</c>,
/// the value in Avro's JSON encoding of the topic's contract (what <c>kafka-avro-console-consumer</c> prints, so a capture
/// of real traffic can be replayed). <c>timestamp</c> is optional: the value's <c>eventTime</c> stands in.
/// </summary>
public static class AvroJsonLines
{
    /// <summary>How deeply a line may nest (System.Text.Json's default): a line nested deeper is reported, not read.</summary>
    private const int MaxDepth = 64;

    /// <summary>Reads every line; lines that cannot be read are reported, not thrown, so one bad line does not hide the rest.</summary>
    public static (List<JsonLineRecord> Records, List<JsonLineError> Errors) Read(TextReader reader, Func<string, RecordSchema?> schemaOfTopic)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(schemaOfTopic);
        var records = new List<JsonLineRecord>();
        var errors = new List<JsonLineError>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                records.Add(Parse(number, line, schemaOfTopic));
            }
            catch (JsonException)
            {
                // The parser's message quotes the line; the reason never does.
                errors.Add(new JsonLineError(number, NestedTooDeeply(line) ? $"JSON nested deeper than {MaxDepth} levels" : "not JSON"));
            }
            catch (Exception ex) when (ex is AvroException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                errors.Add(new JsonLineError(number, ex is FormatException ? ex.Message : $"{ex.GetType().Name}: the value does not match its topic's contract"));
            }
        }

        return (records, errors);
    }

    /// <summary>One line for <paramref name="value"/>, which must be a record of <paramref name="topic"/>'s contract.</summary>
    public static string Write(string topic, string? key, long timestampMs, GenericRecord value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var avroJson = new MemoryStream();
        var encoder = new JsonEncoder(value.Schema, avroJson);
        new GenericDatumWriter<GenericRecord>(value.Schema).Write(value, encoder);
        encoder.Flush();
        using var line = new MemoryStream();
        using (var writer = new Utf8JsonWriter(line))
        {
            writer.WriteStartObject();
            writer.WriteString("topic", topic);
            if (key is null)
            {
                writer.WriteNull("key");
            }
            else
            {
                writer.WriteString("key", key);
            }

            writer.WriteNumber("timestamp", timestampMs);
            writer.WritePropertyName("value");
            writer.WriteRawValue(avroJson.ToArray());
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(line.ToArray());
    }

    /// <summary>Whether <paramref name="line"/> is JSON that only its nesting kept from being read.</summary>
    private static bool NestedTooDeeply(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line), new JsonReaderOptions { MaxDepth = line.Length + 1 });
        var deepest = 0;
        try
        {
            while (reader.Read())
            {
                deepest = Math.Max(deepest, reader.CurrentDepth);
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return deepest >= MaxDepth;
    }

    private static JsonLineRecord Parse(int number, string line, Func<string, RecordSchema?> schemaOfTopic)
    {
        using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = MaxDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("""not a JSON object ({"topic": …, "key": …, "timestamp": …, "value": {…}})""");
        }

        var topic = root.TryGetProperty("topic", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new FormatException("'topic' is missing");
        var schema = schemaOfTopic(topic) ?? throw new FormatException($"topic '{topic}' has no contract in topics.yaml");
        if (!root.TryGetProperty("value", out var valueJson) || valueJson.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'value' is missing (tombstones cannot be replayed from a file)");
        }

        var decoder = new JsonDecoder(schema, valueJson.GetRawText());
        var value = new GenericDatumReader<GenericRecord>(schema, schema).Read(null!, decoder);
        var key = root.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        long timestamp = root.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number
            ? ts.GetInt64()
            : value.TryGetValue("eventTime", out var eventTime) && AvroTimestamps.ToEpochMillis(eventTime) is { } eventTimeMs
                ? eventTimeMs
                : throw new FormatException("no 'timestamp' and the value has no eventTime");
        return new JsonLineRecord(number, topic, key, value, timestamp);
    }
}
