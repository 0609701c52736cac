namespace Customer360.Streaming.Runtime.Topology;

/// <summary>What a topic is for in the topology.</summary>
public enum TopicRole
{
    Input,
    Table,
    Output,
    Internal,

    /// <summary>Where records that fail permanently go, unchanged, with origin headers.</summary>
    DeadLetter,
}

/// <summary>A topic the topology reads or writes, as declared in <c>topology/topics.yaml</c>.</summary>
/// <param name="Name">Topic name, ending in a <c>.vN</c> version suffix for public topics.</param>
/// <param name="Role">What the topic is for.</param>
/// <param name="Partitions">Partition count the topic must have.</param>
/// <param name="Compacted">Whether the topic is a compacted table (cleanup.policy=compact on a real broker).</param>
/// <param name="CoPartitionGroup">Topics in one group are joined per key and must have equal partition counts.</param>
/// <param name="Key">What the record key holds.</param>
/// <param name="Description">One line for <c>c360 topology describe</c>.</param>
/// <param name="ValueSchema">Folder under <c>schemas/</c> with the Avro value schema, or null for raw bytes (DLQ, repartition).</param>
public sealed record TopicSpec(
    string Name,
    TopicRole Role,
    int Partitions,
    bool Compacted = false,
    string? CoPartitionGroup = null,
    string? Key = null,
    string? Description = null,
    string? ValueSchema = null);
