namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A keyed record on a partition its key does not hash to: dead-lettered at stage "validate", class MisPartitionedKey.</summary>
public sealed class MisPartitionedKeyException : Exception, IClassifiedError
{
    public MisPartitionedKeyException(string topic, int partition, int expected, int partitionCount)
        : base($"The key hashes (murmur2) to partition {expected} of {partitionCount} of {topic}, but the record is on partition {partition}: "
            + "its producer does not partition as the Java client does. Set partitioner=murmur2_random on librdkafka-based producers.")
    {
    }

    public MisPartitionedKeyException()
    {
    }

    public MisPartitionedKeyException(string message)
        : base(message)
    {
    }

    public MisPartitionedKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ErrorStage Stage => ErrorStage.Validate;

    public string ErrorClass => "MisPartitionedKey";

    public bool IsTransient => false;
}
