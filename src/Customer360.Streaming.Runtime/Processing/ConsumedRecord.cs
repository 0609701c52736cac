using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A record as the consumer hands it over, turned into what a task processes.</summary>
internal static class ConsumedRecord
{
    /// <param name="internalTopic">Whether the record is on one of the topology's internal topics (see <see cref="StreamRecord"/>'s carriesOrigin).</param>
    public static StreamRecord ToStreamRecord(ConsumeResult<byte[]?, byte[]?> result, bool internalTopic) =>
        new(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Timestamp.UnixTimestampMs, result.Message.Key, result.Message.Value, HeadersOf(result.Message.Headers), internalTopic);

    private static List<KeyValuePair<string, byte[]>> HeadersOf(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return [];
        }

        var list = new List<KeyValuePair<string, byte[]>>(headers.Count);
        foreach (var header in headers)
        {
            list.Add(new(header.Key, header.GetValueBytes()));
        }

        return list;
    }
}
