using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// A Kafka failure in the words whoever started the command needs. A cluster that does not answer reached them as
/// "Local: Broker transport failure", which names neither the address tried nor that nothing answered there.
/// </summary>
public static class KafkaFailure
{
    /// <summary>Codes that mean no broker at the given address could be reached (refused, unresolvable, all down).</summary>
    public static bool IsUnreachable(ErrorCode code) => code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve;

    /// <summary>"no Kafka broker answered at &lt;servers&gt; (&lt;reason&gt;)" for an unreachable cluster; otherwise the exception's message.</summary>
    public static string Describe(Exception failure, string? bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure is KafkaException kafka && IsUnreachable(kafka.Error.Code) && !string.IsNullOrWhiteSpace(bootstrapServers)
            ? $"no Kafka broker answered at {bootstrapServers} ({kafka.Error.Reason})"
            : failure.Message;
    }
}
