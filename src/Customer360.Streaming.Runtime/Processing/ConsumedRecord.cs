using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A record as the consumer hands it over, turned into what a task processes.</summary>
internal static class ConsumedRecord
{
    /// <param name="originTopics">Given when the record is on one of the topology's internal topics (see <see cref="StreamRecord"/>'s originTopics).</param>
    public static StreamRecord ToStreamRecord(ConsumeResult<byte[]?, byte[]?> result, OriginTopics? originTopics) =>
        new(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Timestamp.UnixTimestampMs, result.Message.Key, result.Message.Value, HeadersOf(result.Message.Headers), originTopics);

    /// <summary>One array per record with headers (a list over an array was two), filled by index (no enumerator).</summary>
    internal static KeyValuePair<string, byte[]>[] HeadersOf(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return [];
        }

        var copied = new KeyValuePair<string, byte[]>[headers.Count];
        for (var i = 0; i < copied.Length; i++)
        {
            var header = headers[i];
            copied[i] = new(header.Key, header.GetValueBytes());
        }

        return copied;
    }
}
