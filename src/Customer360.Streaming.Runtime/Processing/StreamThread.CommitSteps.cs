using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing.Guarantees;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>The I/O of a commit's steps, which the thread's <see cref="GuaranteeStrategy"/> orders.</summary>
internal sealed partial class StreamThread
{
    bool ICommitSteps.HasUnflushedWork =>
        _collector.SentSinceCommit > 0 || _tasks.Running.Values.Any(t => t.Stores.Values.Any(s => s.PendingChanges > 0));

    void ICommitSteps.FlushOutputs() => _collector.FlushAndCheck(FlushTimeout);

    void ICommitSteps.PrepareChangelogs() => _changelogs.Prepare(_tasks.Running.Values, _changedSinceCommit);

    void ICommitSteps.SendChangelogs() => _changelogs.Send(_tasks.Running.Values, _changedSinceCommit, _collector);

    void ICommitSteps.ChangesDurable() => _tasks.ChangesDurable(_collector.AcknowledgedOffset);

    void ICommitSteps.CommitOffsets(IReadOnlyList<TopicPartitionOffset> offsets) => _consumer.Commit(offsets);

    void ICommitSteps.BeginTransaction() => _producer.BeginTransaction();

    void ICommitSteps.SendOffsetsToTransaction(IReadOnlyList<TopicPartitionOffset> offsets) =>
        _producer.SendOffsetsToTransaction(offsets, _consumer.ConsumerGroupMetadata, FlushTimeout);

    void ICommitSteps.CommitTransaction() => _producer.CommitTransaction(FlushTimeout);

    void ICommitSteps.AbortTransaction() => _producer.AbortTransaction(FlushTimeout);
}
