using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Names of the headers the runtime writes and reads.</summary>
public static class RecordHeaders
{
    /// <summary>Where the event first entered the topology, binary (<see cref="RecordOrigin.ToHeader"/>).</summary>
    public const string Origin = "c360.origin";

    /// <summary>The origin as three text headers, as versions before the binary one wrote it: still read, never written.</summary>
    public const string OriginTopic = "c360.origin.topic";
    public const string OriginPartition = "c360.origin.partition";
    public const string OriginOffset = "c360.origin.offset";

    /// <summary>Deterministic id of an output: the same input always yields the same id, so consumers deduplicate on it.</summary>
    public const string OutputId = "c360.output.id";

    public const string DlqOriginTopic = "c360.dlq.origin.topic";
    public const string DlqOriginPartition = "c360.dlq.origin.partition";
    public const string DlqOriginOffset = "c360.dlq.origin.offset";
    public const string DlqOriginTimestamp = "c360.dlq.origin.timestamp";

    /// <summary>The repartition record that carried a dead letter's origin to the task that failed on it (absent when the input record itself failed).</summary>
    public const string DlqViaTopic = "c360.dlq.via.topic";
    public const string DlqViaPartition = "c360.dlq.via.partition";
    public const string DlqViaOffset = "c360.dlq.via.offset";
    public const string DlqGroup = "c360.dlq.group";
    public const string DlqStage = "c360.dlq.stage";
    public const string DlqErrorClass = "c360.dlq.error.class";
    public const string DlqErrorMessage = "c360.dlq.error.message";

    /// <summary>On a dead letter whose value was cut to fit the producer's limit: the original length in bytes.</summary>
    public const string DlqValueTruncatedFrom = "c360.dlq.value.truncated-from";

    /// <summary>On a dead letter whose key was cut to fit the producer's limit: the original length in bytes.</summary>
    public const string DlqKeyTruncatedFrom = "c360.dlq.key.truncated-from";

    public static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    public static byte[] Number(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    public static string? Find(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name) =>
        FindBytes(headers, name) is { } value ? Encoding.UTF8.GetString(value) : null;

    /// <summary>The value of the last header named <paramref name="name"/>, as it is on the wire.</summary>
    public static byte[]? FindBytes(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name)
    {
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            if (headers[i].Key == name)
            {
                return headers[i].Value;
            }
        }

        return null;
    }
}
