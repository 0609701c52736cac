using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Embedded.Kafka;

/// <summary>
/// The repartition purge's deletions on an embedded broker in this process: through the mock's own API, since the mock
/// refuses the DeleteRecords request of an admin client. Processes without the cluster object (a processor against
/// <c>c360 broker</c>) cannot use it; their admin deleter is refused once and they stop purging.
/// </summary>
public sealed class EmbeddedRecordDeleter(EmbeddedKafkaCluster cluster) : IRecordDeleter
{
    public Task DeleteBeforeAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        foreach (var offset in offsets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            cluster.DeleteRecordsBefore(offset.Topic, offset.Partition.Value, offset.Offset.Value);
        }

        return Task.CompletedTask;
    }

    /// <summary>The cluster belongs to whoever started it.</summary>
    public void Dispose()
    {
    }
}
