using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing.Guarantees;

/// <summary>
/// The I/O a commit is made of, done by the stream thread's clients and tasks. A <see cref="GuaranteeStrategy"/>
/// decides which steps run and in what order; it does no I/O itself, so its order can be tested step by step.
/// </summary>
internal interface ICommitSteps
{
    /// <summary>Outputs sent but not yet known acknowledged, or store changes not yet in the changelog.</summary>
    bool HasUnflushedWork { get; }

    /// <summary>Waits until every record sent is acknowledged; throws on the first failed delivery.</summary>
    void FlushOutputs();

    /// <summary>Makes the changelog records of each dirty store entry (once per key per commit) without sending them.</summary>
    void PrepareChangelogs();

    /// <summary>Sends the prepared changelog records, preparing them first if this commit did not.</summary>
    void SendChangelogs();

    /// <summary>The changelog acknowledged what was sent: local stores write it and may checkpoint.</summary>
    void ChangesDurable();

    void CommitOffsets(IReadOnlyList<TopicPartitionOffset> offsets);

    void BeginTransaction();

    void SendOffsetsToTransaction(IReadOnlyList<TopicPartitionOffset> offsets);

    void CommitTransaction();

    void AbortTransaction();
}
