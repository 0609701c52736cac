using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Processing.Guarantees;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// Each guarantee's commit order, and what a failure at every step leaves behind: offsets are never committed ahead
/// of the outputs and changelog they stand for, and local stores never take changes that did not become durable.
/// </summary>
public sealed class GuaranteeStrategyTests
{
    private static readonly IReadOnlyList<TopicPartitionOffset> Offsets = [new(new TopicPartition("in", 0), 42)];

    [Fact]
    public void At_least_once_makes_the_changelog_records_then_acknowledges_outputs_then_sends_them_then_commits_offsets()
    {
        var steps = new RecordingSteps();

        var outcome = Strategy(ProcessingGuarantee.AtLeastOnce, steps).Commit(Offsets);

        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal(["PrepareChangelogs", "FlushOutputs", "SendChangelogs", "FlushOutputs", "ChangesDurable", "CommitOffsets"], steps.Done);
    }

    [Fact]
    public void Each_commit_step_is_timed_under_its_own_name_a_failing_one_too()
    {
        using var meter = new Meter($"test-{Guid.NewGuid():N}");
        var stepDuration = meter.CreateHistogram<double>("c360.commit.step.duration");
        var timed = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, stepDuration))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => timed.Add((string)tags[0].Value!));
        listener.Start();
        var steps = new RecordingSteps();

        Strategy(ProcessingGuarantee.AtLeastOnce, new TimedCommitSteps(steps, stepDuration, TimeProvider.System)).Commit(Offsets);
        var failing = new RecordingSteps { FailAt = 1 };
        Assert.Throws<KafkaException>(() => Strategy(ProcessingGuarantee.AtLeastOnce, new TimedCommitSteps(failing, stepDuration, TimeProvider.System)).Commit(Offsets));

        Assert.Equal(["PrepareChangelogs", "FlushOutputs", "SendChangelogs", "FlushOutputs", "ChangesDurable", "CommitOffsets"], steps.Done);
        Assert.Equal(
            ["prepare_changelogs", "flush_outputs", "send_changelogs", "flush_outputs", "changes_durable", "commit_offsets", "prepare_changelogs", "flush_outputs"],
            timed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void At_least_once_failing_at_any_step_before_the_offsets_commits_no_offsets(int failingStep)
    {
        var steps = new RecordingSteps { FailAt = failingStep };

        Assert.Throws<KafkaException>(() => Strategy(ProcessingGuarantee.AtLeastOnce, steps).Commit(Offsets));

        Assert.DoesNotContain("CommitOffsets", steps.Done);
        Assert.Equal(failingStep < 4, !steps.Done.Contains("ChangesDurable"));
    }

    [Fact]
    public void At_least_once_defers_offsets_during_a_rebalance_after_outputs_and_changelog_are_durable()
    {
        var steps = new RecordingSteps { FailAt = 5, Failure = new KafkaException(ErrorCode.RebalanceInProgress) };

        var outcome = Strategy(ProcessingGuarantee.AtLeastOnce, steps).Commit(Offsets);

        Assert.Equal(CommitOutcome.OffsetsDeferred, outcome);
        Assert.Contains("ChangesDurable", steps.Done);
    }

    [Fact]
    public void At_least_once_with_nothing_processed_or_pending_does_nothing()
    {
        var steps = new RecordingSteps { Unflushed = false };

        Assert.Equal(CommitOutcome.NothingToCommit, Strategy(ProcessingGuarantee.AtLeastOnce, steps).Commit([]));
        Assert.Empty(steps.Done);
    }

    [Fact]
    public void Exactly_once_puts_changelog_and_offsets_in_the_transaction_and_lets_stores_write_only_after_it_commits()
    {
        var steps = new RecordingSteps();
        var strategy = Strategy(ProcessingGuarantee.ExactlyOnceV2, steps);

        strategy.BeforeSend();
        strategy.BeforeSend();
        var outcome = strategy.Commit(Offsets);

        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal(["BeginTransaction", "SendChangelogs", "SendOffsetsToTransaction", "CommitTransaction", "ChangesDurable"], steps.Done);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Exactly_once_an_abortable_error_at_any_step_aborts_and_nothing_becomes_durable(int failingStep)
    {
        var steps = new RecordingSteps { FailAt = failingStep, Failure = new KafkaTxnRequiresAbortException(new Error(ErrorCode.InvalidTxnState)) };
        var strategy = Strategy(ProcessingGuarantee.ExactlyOnceV2, steps);

        var outcome = strategy.Commit(Offsets);

        Assert.Equal(CommitOutcome.Aborted, outcome);
        Assert.Equal("AbortTransaction", steps.Done[^1]);
        Assert.DoesNotContain("ChangesDurable", steps.Done);
        steps.FailAt = -1;
        steps.Done.Clear();
        Assert.Equal(CommitOutcome.Committed, strategy.Commit(Offsets));
        Assert.Equal("BeginTransaction", steps.Done[0]);
    }

    [Fact]
    public void Exactly_once_retries_a_retriable_step_and_then_commits()
    {
        var steps = new RecordingSteps { FailAt = 2, FailTimes = 2, Failure = new KafkaRetriableException(new Error(ErrorCode.GroupLoadInProgress)) };

        var outcome = Strategy(ProcessingGuarantee.ExactlyOnceV2, steps).Commit(Offsets);

        Assert.Equal(CommitOutcome.Committed, outcome);
        Assert.Equal(3, steps.Done.Count(s => s == "SendOffsetsToTransaction"));
    }

    [Fact]
    public void Exactly_once_abandoning_aborts_only_an_open_transaction()
    {
        var steps = new RecordingSteps();
        var strategy = Strategy(ProcessingGuarantee.ExactlyOnceV2, steps);

        strategy.Abandon();
        Assert.Empty(steps.Done);
        strategy.BeforeSend();
        strategy.Abandon();

        Assert.Equal(["BeginTransaction", "AbortTransaction"], steps.Done);
        Assert.Equal(CommitOutcome.NothingToCommit, strategy.Commit([]));
    }

    private static GuaranteeStrategy Strategy(ProcessingGuarantee guarantee, ICommitSteps steps) =>
        GuaranteeStrategy.For(guarantee, steps, NullLogger.Instance, "test");

    /// <summary>Records the steps in order; calls number <see cref="FailAt"/> to <see cref="FailAt"/> + <see cref="FailTimes"/> - 1 (counting every call from 0) throw <see cref="Failure"/>.</summary>
    private sealed class RecordingSteps : ICommitSteps
    {
        private int _calls;

        public List<string> Done { get; } = [];

        public int FailAt { get; set; } = -1;

        public int FailTimes { get; init; } = 1;

        public KafkaException Failure { get; init; } = new(ErrorCode.Local_TimedOut);

        public bool Unflushed { get; init; } = true;

        public bool HasUnflushedWork => Unflushed;

        public void FlushOutputs() => Step(nameof(FlushOutputs));

        public void PrepareChangelogs() => Step(nameof(PrepareChangelogs));

        public void SendChangelogs() => Step(nameof(SendChangelogs));

        public void ChangesDurable() => Step(nameof(ChangesDurable));

        public void CommitOffsets(IReadOnlyList<TopicPartitionOffset> offsets) => Step(nameof(CommitOffsets));

        public void BeginTransaction() => Step(nameof(BeginTransaction));

        public void SendOffsetsToTransaction(IReadOnlyList<TopicPartitionOffset> offsets) => Step(nameof(SendOffsetsToTransaction));

        public void CommitTransaction() => Step(nameof(CommitTransaction));

        public void AbortTransaction() => Done.Add(nameof(AbortTransaction));

        private void Step(string name)
        {
            Done.Add(name);
            var call = _calls++;
            if (FailAt >= 0 && call >= FailAt && call < FailAt + FailTimes)
            {
                throw Failure;
            }
        }
    }
}
