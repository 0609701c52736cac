using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing.Guarantees;

/// <summary>
/// at_least_once: outputs acknowledged, then the changelog (which marks their inputs applied) acknowledged, then the
/// offsets committed. The changelog records are made before the outputs' flush (so the snapshots the processors
/// publish while they are made are among the outputs acknowledged) and sent after it. A crash between any two steps
/// replays the inputs, whose outputs carry the same ids and whose applied offsets the stores recognise; nothing is
/// lost and state is never applied twice.
/// </summary>
internal sealed class AtLeastOnceStrategy(ICommitSteps steps, ILogger logger, string clientId) : GuaranteeStrategy(steps)
{
    public override void BeforeSend()
    {
        // Nothing to open: records go out as they are sent.
    }

    public override CommitOutcome Commit(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0 && !Steps.HasUnflushedWork)
        {
            return CommitOutcome.NothingToCommit;
        }

        Steps.PrepareChangelogs();
        Steps.FlushOutputs();
        Steps.SendChangelogs();
        Steps.FlushOutputs();
        Steps.ChangesDurable();
        if (offsets.Count == 0)
        {
            return CommitOutcome.Committed;
        }

        try
        {
            Steps.CommitOffsets(offsets);
            return CommitOutcome.Committed;
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            // The group is moving partitions. Outputs and changelog are durable already, so skipping this commit is
            // safe: the revoke handler or the next interval commits, and whoever replays these records recognises
            // them by their applied offsets.
            Log.CommitDeferred(logger, clientId, ex.Error.Code);
            return CommitOutcome.OffsetsDeferred;
        }
    }

    public override void Abandon()
    {
        // Sent records cannot be taken back; their replay is recognised by output ids and applied offsets.
    }
}
