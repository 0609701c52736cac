namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A record a task sends: to an output, a repartition topic, a changelog or the dead-letter topic.</summary>
/// <param name="Partition">Explicit partition (changelogs), or null to partition by key with murmur2.</param>
public sealed record OutgoingRecord(
    string Topic,
    byte[]? Key,
    byte[]? Value,
    long TimestampMs,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    int? Partition = null)
{
    public string? OutputId => RecordHeaders.Find(Headers, RecordHeaders.OutputId);

    /// <summary>Its key, value and headers in bytes: what a producer's size limit counts, less the record format's framing.</summary>
    public int ContentBytes
    {
        get
        {
            var bytes = (Key?.Length ?? 0) + (Value?.Length ?? 0);
            foreach (var (name, value) in Headers)
            {
                bytes += System.Text.Encoding.UTF8.GetByteCount(name) + (value?.Length ?? 0);
            }

            return bytes;
        }
    }
}
