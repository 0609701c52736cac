using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing.Guarantees;

/// <summary>What a commit came to.</summary>
internal enum CommitOutcome
{
    /// <summary>Nothing was processed or sent since the last commit.</summary>
    NothingToCommit,

    Committed,

    /// <summary>Outputs and changelog are durable, but the group is rebalancing: the offsets wait for the next commit.</summary>
    OffsetsDeferred,

    /// <summary>The transaction was aborted: everything since the last commit must be redone from committed state.</summary>
    Aborted,
}

/// <summary>
/// A processing guarantee: how outputs, changelog records and input offsets become durable together, in which order,
/// and what a failure between two steps leaves behind. One instance per stream thread; it owns the transaction state.
/// </summary>
internal abstract class GuaranteeStrategy(ICommitSteps steps)
{
    protected ICommitSteps Steps { get; } = steps;

    public static GuaranteeStrategy For(ProcessingGuarantee guarantee, ICommitSteps steps, ILogger logger, string clientId) => guarantee switch
    {
        ProcessingGuarantee.AtLeastOnce => new AtLeastOnceStrategy(steps, logger, clientId),
        ProcessingGuarantee.ExactlyOnceV2 => new ExactlyOnceV2Strategy(steps, logger, clientId),
        _ => throw new ArgumentOutOfRangeException(nameof(guarantee), guarantee, null),
    };

    /// <summary>
    /// Whether consumers see outputs only once a commit makes them durable: only then does committing sooner show them
    /// sooner (<see cref="IProcessorContext.RequestCommit"/>).
    /// </summary>
    public virtual bool CommitRevealsOutputs => false;

    /// <summary>Runs before a record is sent (the record collector calls it).</summary>
    public abstract void BeforeSend();

    /// <summary>Makes everything processed up to <paramref name="offsets"/> durable.</summary>
    public abstract CommitOutcome Commit(IReadOnlyList<TopicPartitionOffset> offsets);

    /// <summary>Drops what is not committed (partitions lost, or the thread stopping after its last commit).</summary>
    public abstract void Abandon();
}
