using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Processing.Guarantees;

/// <summary>
/// exactly_once_v2 (KIP-447): a transaction opens with the first record sent after a commit; outputs, changelog
/// records and the input offsets join it, and it commits atomically. Retriable errors of a step are retried (each step
/// is idempotent); an abortable error aborts, and the thread redoes everything from committed state.
/// </summary>
internal sealed class ExactlyOnceV2Strategy(ICommitSteps steps, ILogger logger, string clientId) : GuaranteeStrategy(steps)
{
    private const int MaxAttempts = 5;

    public bool TransactionOpen { get; private set; }

    /// <summary>A read_committed consumer sees nothing of a transaction until it commits.</summary>
    public override bool CommitRevealsOutputs => true;

    public override void BeforeSend()
    {
        if (!TransactionOpen)
        {
            Steps.BeginTransaction();
            TransactionOpen = true;
        }
    }

    public override CommitOutcome Commit(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        if (!TransactionOpen && offsets.Count == 0)
        {
            return CommitOutcome.NothingToCommit;
        }

        BeforeSend();
        try
        {
            Steps.SendChangelogs();
            if (offsets.Count > 0)
            {
                Retrying(() => Steps.SendOffsetsToTransaction(offsets));
            }

            Retrying(Steps.CommitTransaction);
            TransactionOpen = false;
        }
        catch (KafkaTxnRequiresAbortException ex)
        {
            Log.TransactionAborted(logger, clientId, ex.Error.Code);
            Abandon();
            return CommitOutcome.Aborted;
        }

        Steps.ChangesDurable();
        return CommitOutcome.Committed;
    }

    public override void Abandon()
    {
        if (TransactionOpen)
        {
            Steps.AbortTransaction();
            TransactionOpen = false;
        }
    }

    private void Retrying(Action step)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                step();
                return;
            }
            catch (KafkaRetriableException ex) when (attempt < MaxAttempts)
            {
                Log.TransactionRetry(logger, clientId, ex.Error.Code, attempt);
                Thread.Sleep(100 * attempt);
            }
        }
    }
}
