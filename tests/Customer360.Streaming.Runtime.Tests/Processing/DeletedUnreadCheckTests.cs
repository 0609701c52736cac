using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// Source records the broker deleted before the thread fetched them: the consumer moves on from the log's new start
/// without a word (the runtime's reset policy is earliest), so the thread notices the jump itself. A jump the log start
/// does not explain (a transaction's marker, compaction, an aborted transaction) is no loss.
/// </summary>
public sealed class DeletedUnreadCheckTests
{
    private static readonly TopicPartition Beacons = new("beacon", 2);

    private readonly FakeLogStarts _broker = new();
    private readonly RecordingLogger _log = new();
    private readonly List<(TopicPartition Partition, long From, long To)> _deleted = [];

    [Fact]
    public void A_jump_past_offsets_the_log_no_longer_holds_is_reported_with_the_offsets_that_were_deleted()
    {
        var (check, slot) = CheckWithSlot();
        FetchRecords(check, slot, 0, 10);

        // The thread fell behind: the broker deleted up to 480, and the consumer went on from there.
        _broker.Starts[Beacons] = 480;
        check.Fetched(slot, 480, 481);

        Assert.Equal([(Beacons, 10L, 480L)], _deleted);
        var line = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("470 records of beacon[2] (offsets 10 to 479)", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jump_the_log_start_does_not_explain_is_no_loss()
    {
        var (check, slot) = CheckWithSlot();
        FetchRecords(check, slot, 0, 10);

        // A commit marker at 10, then compaction or an aborted transaction up to 40: the log still starts at 0.
        check.Fetched(slot, 11, 12);
        check.Fetched(slot, 40, 41);

        Assert.Empty(_deleted);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void Reaching_the_end_past_deleted_offsets_reports_them_too()
    {
        var (check, slot) = CheckWithSlot();
        FetchRecords(check, slot, 0, 10);

        // Everything after 10 was deleted and nothing new came: the consumer's next word is the end of the log.
        _broker.Starts[Beacons] = 300;
        check.Fetched(slot, 300, 300);
        check.Fetched(slot, 300, 300);

        Assert.Equal([(Beacons, 10L, 300L)], _deleted);
    }

    [Fact]
    public void A_first_record_at_the_log_start_is_checked_against_the_committed_offset_once_the_fetch_round_is_over()
    {
        var (check, slot) = CheckWithSlot();
        _broker.Starts[Beacons] = 500;
        _broker.CommittedOffsets[Beacons] = 120;

        // After an assignment the thread does not know where the group stood: only the committed offset tells.
        check.Fetched(slot, 500, 501);
        Assert.Empty(_deleted);
        Assert.Equal(0, _broker.CommittedAsked);

        check.ResolveStarts();

        Assert.Equal([(Beacons, 120L, 500L)], _deleted);
        Assert.Equal(1, _broker.CommittedAsked);
        check.ResolveStarts();
        Assert.Equal(1, _broker.CommittedAsked);
    }

    [Fact]
    public void A_first_record_at_the_committed_offset_or_of_a_group_that_never_committed_is_no_loss()
    {
        var (check, slot) = CheckWithSlot();
        var fresh = new PartitionSlot(new TopicPartition("beacon", 3));
        _broker.Starts[Beacons] = 500;
        _broker.Starts[fresh.Partition] = 700;
        _broker.CommittedOffsets[Beacons] = 500;

        // Purged below the committed offset (as the runtime purges its repartition topics), and a new application id
        // reading from whatever the log still holds: neither lost anything of its own.
        check.Fetched(slot, 500, 501);
        check.Fetched(fresh, 700, 701);
        check.ResolveStarts();

        Assert.Empty(_deleted);
        Assert.Equal(1, _broker.CommittedAsked);
    }

    [Fact]
    public void A_partition_revoked_and_assigned_again_within_one_fetch_round_is_asked_about_and_reported_once()
    {
        // A rebalance inside the round's consume calls makes a new slot for the same partition: two first records.
        var (check, slot) = CheckWithSlot();
        _broker.Starts[Beacons] = 500;
        _broker.CommittedOffsets[Beacons] = 120;

        check.Fetched(slot, 500, 501);
        check.Fetched(new PartitionSlot(Beacons), 500, 501);
        check.ResolveStarts();

        Assert.Equal([(Beacons, 120L, 500L)], _deleted);
        Assert.Equal([Beacons], _broker.LastAsked);
    }

    [Fact]
    public void A_first_record_past_the_log_start_needs_no_question_to_the_broker()
    {
        var (check, slot) = CheckWithSlot();
        _broker.Starts[Beacons] = 500;

        check.Fetched(slot, 620, 621);
        check.ResolveStarts();

        Assert.Empty(_deleted);
        Assert.Equal(0, _broker.CommittedAsked);
    }

    [Fact]
    public void When_the_committed_offsets_cannot_be_read_the_check_says_so_and_goes_on()
    {
        var (check, slot) = CheckWithSlot();
        _broker.Starts[Beacons] = 500;
        _broker.CommittedFails = true;

        check.Fetched(slot, 500, 501);
        check.ResolveStarts();

        Assert.Empty(_deleted);
        var line = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("could not tell", line.Message, StringComparison.Ordinal);
    }

    private (DeletedUnreadCheck Check, PartitionSlot Slot) CheckWithSlot() =>
        (new DeletedUnreadCheck(_broker, _log, "c360-StreamThread-1", (partition, from, to) => _deleted.Add((partition, from, to))), new PartitionSlot(Beacons));

    private static void FetchRecords(DeletedUnreadCheck check, PartitionSlot slot, long from, long to)
    {
        for (var offset = from; offset < to; offset++)
        {
            check.Fetched(slot, offset, offset + 1);
        }
    }

    private sealed class FakeLogStarts : ILogStarts
    {
        public Dictionary<TopicPartition, long> Starts { get; } = [];

        public Dictionary<TopicPartition, long> CommittedOffsets { get; } = [];

        public bool CommittedFails { get; set; }

        public int CommittedAsked { get; private set; }

        public IReadOnlyList<TopicPartition> LastAsked { get; private set; } = [];

        public long? LogStart(TopicPartition partition) => Starts.TryGetValue(partition, out var start) ? start : 0;

        public IReadOnlyList<TopicPartitionOffset> Committed(IReadOnlyList<TopicPartition> partitions)
        {
            CommittedAsked++;
            LastAsked = partitions;
            return CommittedFails
                ? throw new KafkaException(ErrorCode.RequestTimedOut)
                : [.. partitions.Select(p => new TopicPartitionOffset(p, CommittedOffsets.TryGetValue(p, out var offset) ? new Offset(offset) : Offset.Unset))];
        }
    }
}
