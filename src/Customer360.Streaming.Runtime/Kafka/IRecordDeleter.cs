using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>Deletes a partition's records below an offset: Kafka's DeleteRecords, which moves its log start offset.</summary>
public interface IRecordDeleter : IDisposable
{
    /// <summary>Deletes each partition's records below its offset; throws <see cref="KafkaException"/> when the broker refuses.</summary>
    Task DeleteBeforeAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken);
}
