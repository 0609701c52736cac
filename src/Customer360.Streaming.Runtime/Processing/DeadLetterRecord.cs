namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Builds the dead letter of a failed record: the original key, value and headers plus the origin and the reason.
/// A dead letter must never fail to send (the worker would stop on the very record it meant to set aside), so when the
/// original does not fit in <see cref="StreamsOptions.DeadLetterMaxBytes"/> the value, then the key, are cut to what
/// fits and a header says how long they were.
/// </summary>
internal static class DeadLetterRecord
{
    /// <summary>Room left for the producer's own per-record framing, so a record at the budget is still accepted.</summary>
    private const int FramingAllowance = 512;

    /// <summary>
    /// The record's own headers and what went wrong where. The origin is where the record entered the topology: for
    /// one that came through a repartition topic, the input record it carries (an event is decoded and judged only
    /// downstream), with the repartition record named beside it as the hop.
    /// </summary>
    public static List<KeyValuePair<string, byte[]>> Headers(StreamRecord record, string groupId, string stage, string errorClass, string message)
    {
        var origin = record.Origin;
        var headers = new List<KeyValuePair<string, byte[]>>(record.Headers)
        {
            new(RecordHeaders.DlqOriginTopic, RecordHeaders.Text(origin.Topic)),
            new(RecordHeaders.DlqOriginPartition, RecordHeaders.Number(origin.Partition)),
            new(RecordHeaders.DlqOriginOffset, RecordHeaders.Number(origin.Offset)),
            new(RecordHeaders.DlqOriginTimestamp, RecordHeaders.Number(record.TimestampMs)),
            new(RecordHeaders.DlqGroup, RecordHeaders.Text(groupId)),
            new(RecordHeaders.DlqStage, RecordHeaders.Text(stage)),
            new(RecordHeaders.DlqErrorClass, RecordHeaders.Text(errorClass)),
            new(RecordHeaders.DlqErrorMessage, RecordHeaders.Text(message)),
        };
        if (origin != new RecordOrigin(record.Topic, record.Partition, record.Offset))
        {
            headers.Add(new(RecordHeaders.DlqViaTopic, RecordHeaders.Text(record.Topic)));
            headers.Add(new(RecordHeaders.DlqViaPartition, RecordHeaders.Number(record.Partition)));
            headers.Add(new(RecordHeaders.DlqViaOffset, RecordHeaders.Number(record.Offset)));
        }

        return headers;
    }

    public static (OutgoingRecord Record, bool Truncated) Build(string topic, StreamRecord record, List<KeyValuePair<string, byte[]>> headers, int maxBytes)
    {
        var key = record.KeyBytes;
        var value = record.Value;
        var budget = maxBytes - FramingAllowance - HeaderBytes(headers);
        var truncated = false;
        if ((key?.Length ?? 0) + (value?.Length ?? 0) > budget)
        {
            truncated = true;
            // Header values are written before the cut so their own size is inside the budget.
            if (value is not null)
            {
                headers.Add(new(RecordHeaders.DlqValueTruncatedFrom, RecordHeaders.Number(value.Length)));
            }

            if (key is not null && key.Length > budget / 2)
            {
                headers.Add(new(RecordHeaders.DlqKeyTruncatedFrom, RecordHeaders.Number(key.Length)));
            }

            // Hostile headers alone can exceed the limit: then nothing of the key or value is kept, never a negative cut.
            budget = Math.Max(0, maxBytes - FramingAllowance - HeaderBytes(headers));
            key = key is not null && key.Length > budget / 2 ? key[..(budget / 2)] : key;
            var room = Math.Max(0, budget - (key?.Length ?? 0));
            value = value is not null && value.Length > room ? value[..room] : value;
        }

        return (new OutgoingRecord(topic, key, value, record.TimestampMs, headers), truncated);
    }

    private static int HeaderBytes(List<KeyValuePair<string, byte[]>> headers)
    {
        var total = 0;
        foreach (var (name, value) in headers)
        {
            // Name and value plus the varint lengths Kafka's record format spends on each.
            total += (name.Length * 3) + value.Length + 10;
        }

        return total;
    }
}
