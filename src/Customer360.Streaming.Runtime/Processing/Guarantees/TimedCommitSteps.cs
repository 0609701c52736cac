using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing.Guarantees;

/// <summary>
/// Times each step of a commit into <c>c360.commit.step.duration</c>, tagged by step, so an engineer can see which one
/// holds the stream thread. (Timing them by hand found the demo's slowest live commits in the changelog step, each
/// with a garbage collection inside.) The steps themselves, their order and their failures are the inner ones'.
/// </summary>
internal sealed class TimedCommitSteps(ICommitSteps steps, Histogram<double> stepDuration, TimeProvider time) : ICommitSteps
{
    private static readonly KeyValuePair<string, object?> FlushOutputsStep = new("step", "flush_outputs");
    private static readonly KeyValuePair<string, object?> PrepareChangelogsStep = new("step", "prepare_changelogs");
    private static readonly KeyValuePair<string, object?> SendChangelogsStep = new("step", "send_changelogs");
    private static readonly KeyValuePair<string, object?> ChangesDurableStep = new("step", "changes_durable");
    private static readonly KeyValuePair<string, object?> CommitOffsetsStep = new("step", "commit_offsets");
    private static readonly KeyValuePair<string, object?> BeginTransactionStep = new("step", "begin_transaction");
    private static readonly KeyValuePair<string, object?> SendOffsetsStep = new("step", "send_offsets_to_transaction");
    private static readonly KeyValuePair<string, object?> CommitTransactionStep = new("step", "commit_transaction");
    private static readonly KeyValuePair<string, object?> AbortTransactionStep = new("step", "abort_transaction");

    public bool HasUnflushedWork => steps.HasUnflushedWork;

    public void FlushOutputs() => Timed(FlushOutputsStep, steps.FlushOutputs);

    public void PrepareChangelogs() => Timed(PrepareChangelogsStep, steps.PrepareChangelogs);

    public void SendChangelogs() => Timed(SendChangelogsStep, steps.SendChangelogs);

    public void ChangesDurable() => Timed(ChangesDurableStep, steps.ChangesDurable);

    public void CommitOffsets(IReadOnlyList<TopicPartitionOffset> offsets) => Timed(CommitOffsetsStep, () => steps.CommitOffsets(offsets));

    public void BeginTransaction() => Timed(BeginTransactionStep, steps.BeginTransaction);

    public void SendOffsetsToTransaction(IReadOnlyList<TopicPartitionOffset> offsets) => Timed(SendOffsetsStep, () => steps.SendOffsetsToTransaction(offsets));

    public void CommitTransaction() => Timed(CommitTransactionStep, steps.CommitTransaction);

    public void AbortTransaction() => Timed(AbortTransactionStep, steps.AbortTransaction);

    /// <summary>Runs one step and records how long it took, also when it failed (a slow failure is worth seeing too).</summary>
    private void Timed(KeyValuePair<string, object?> step, Action run)
    {
        var started = time.GetTimestamp();
        try
        {
            run();
        }
        finally
        {
            stepDuration.Record(time.GetElapsedTime(started).TotalMilliseconds, step);
        }
    }
}
