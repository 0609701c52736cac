using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>The partition group's pauses for retries: rewind, doubling backoff, the record that ends a retry.</summary>
public sealed partial class PartitionGroupTests
{
    [Fact]
    public void A_retry_rewinds_and_pauses_with_a_backoff_that_doubles_to_its_limit_and_starts_over_after_a_success()
    {
        var group = Group();
        group.Add(Record(Beacons, 7));
        var at = new TopicPartitionOffset(Beacons, 7);

        Assert.Equal(100, group.PauseForRetry(at, nowMs: 1_000).BackoffMs);
        Assert.Equal(0, group.Buffered);
        Assert.Equal(["pause beacon[0]", "seek beacon[0]@7"], _consumer.Calls);
        Assert.Empty(group.ResumeDue(1_099));
        Assert.Equal([Beacons], group.ResumeDue(1_100));
        Assert.Equal(200, group.PauseForRetry(at, 1_200).BackoffMs);
        Assert.Equal(400, group.PauseForRetry(at, 1_400).BackoffMs);
        Assert.Equal((500, 4), group.PauseForRetry(at, 1_800));
        // What the resumption reports: refused four times, first at 1,000.
        Assert.Equal((4, 1_000L), group.Processed(Beacons));
        Assert.Equal((100, 1), group.PauseForRetry(at, 2_000));
    }

    [Fact]
    public void A_rewind_for_a_retry_says_where_fetching_resumes_and_a_rewind_to_the_committed_offsets_does_not()
    {
        // What the deleted-input check expects next. After a retry's rewind the records before it were processed (maybe
        // not committed): only those from the rewound offset on can be deleted unread. Unknown, the check would ask
        // the committed offset and count those processed records as lost.
        var group = Group();
        var slot = group.Add(Record(Beacons, 7));
        group.Add(Record(Beacons, 8));

        group.PauseForRetry(new TopicPartitionOffset(Beacons, 8), nowMs: 1_000);
        Assert.Equal(8, slot.NextFetchOffset);

        group.DropBuffered([Beacons]);
        Assert.Null(slot.NextFetchOffset);
    }

    [Fact]
    public void Only_the_record_that_ends_a_retry_says_so_and_not_the_resume_before_it()
    {
        // Readiness follows this answer: clearing the pause at the resume made a partition whose dependency was still
        // down count as ready until its record was refused again.
        var group = Group();
        ReachedEnd(group, Fixes);
        group.Add(Record(Beacons, 7));
        group.PauseForRetry(new TopicPartitionOffset(Beacons, 7), nowMs: 1_000);
        Assert.Equal([Beacons], group.ResumeDue(1_100));

        group.Add(Record(Beacons, 7));
        group.Add(Record(Beacons, 8));
        Assert.NotNull(group.Processed(Take(group)));
        Assert.Null(group.Processed(Take(group)));
    }

    [Fact]
    public void A_record_that_ends_a_retry_makes_the_other_partitions_waiting_to_retry_due_at_once()
    {
        // A Schema Registry back after an outage: each paused partition waited out its own backoff, grown to as much as
        // Streams:TransientRetryBackoffMaxMs (30 s), though one partition's record had just gone through (measured: the
        // last partition resumed 11 s after the registry was back). What let one record through will likely let the
        // others' through; each is tried once more, and one still refused pauses again with its backoff doubled.
        var group = Group();
        group.Add(Record(Beacons, 7));
        group.Add(Record(Fixes, 3));
        group.PauseForRetry(new TopicPartitionOffset(Beacons, 7), nowMs: 1_000);
        group.PauseForRetry(new TopicPartitionOffset(Fixes, 3), nowMs: 1_000);
        group.PauseForRetry(new TopicPartitionOffset(Fixes, 3), nowMs: 1_200);
        Assert.Equal([Beacons], group.ResumeDue(1_100));

        group.Add(Record(Beacons, 7));
        Assert.NotNull(group.Processed(Take(group)));

        Assert.Equal([Fixes], group.ResumeDue(1_101));
        Assert.Equal((400, 3), group.PauseForRetry(new TopicPartitionOffset(Fixes, 3), nowMs: 1_102));
        Assert.Empty(group.ResumeDue(1_501));
    }

    [Fact]
    public void Forgotten_partitions_take_their_records_and_retries_with_them()
    {
        var group = Group();
        group.Add(Record(Beacons, 1));
        group.Add(Record(Fixes, 2));
        group.PauseForRetry(new TopicPartitionOffset(Fixes, 2), 0);

        group.Forget([Beacons, Fixes]);

        Assert.Equal(0, group.Buffered);
        Assert.Empty(group.ResumeDue(long.MaxValue));
    }
}
