using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>The partition group's rules: timestamp order with idle waits and back-pressure (pauses for retries: PartitionGroupTests.Retries.cs).</summary>
public sealed partial class PartitionGroupTests
{
    private static readonly TopicPartition Beacons = new("beacon", 0);
    private static readonly TopicPartition Fixes = new("location", 0);
    private static readonly (string, int) Task0 = ("presence", 0);

    private static readonly StreamTopology Topology = new StreamTopologyBuilder("app")
        .AddSubTopology("presence", ["location", "beacon"], () => new CountingProcessor("out"))
        .Build();

    /// <summary>Where the consumer's end-of-partition events say it is (the fake consumer's answers do not depend on it).</summary>
    private const long EndOffset = 1_000;

    private readonly RecordingConsumer _consumer = new();

    [Fact]
    public void The_thread_takes_the_oldest_record_of_all_its_tasks_rather_than_one_tasks_backlog_after_another()
    {
        // The drain of a backlog on one thread: taking task 0's records before task 1's put minutes of event time
        // between a customer's events on the repartition topic (late, or stale for maxEventAge, downstream).
        var group = Group();
        var beacons1 = new TopicPartition("beacon", 1);
        var fixes1 = new TopicPartition("location", 1);
        foreach (var (partition, timestampMs) in new[] { (Beacons, 100L), (Beacons, 400L), (Fixes, 250L), (beacons1, 200L), (beacons1, 500L), (fixes1, 300L) })
        {
            group.Add(Record(partition, timestampMs));
        }

        // Everything there is was fetched: no partition may still hold older records.
        ReachedEnd(group, Beacons, Fixes, beacons1, fixes1);

        var taken = new List<((string, int) Task, long TimestampMs)>();
        while (group.NextAcross([Task0, ("presence", 1)], TimeProvider.System.GetTimestamp()) is { } next)
        {
            taken.Add((next.Task, next.Record.Message.Timestamp.UnixTimestampMs));
        }

        Assert.Equal([100L, 200, 250, 300, 400, 500], taken.Select(t => t.TimestampMs));
        Assert.Equal([0, 1, 0, 1, 0, 1], taken.Select(t => t.Task.Item2));
    }

    [Fact]
    public void A_record_dated_further_ahead_than_the_topology_takes_is_handed_out_as_soon_as_it_heads_its_partition()
    {
        // A producer that set microseconds: ordered by its timestamp, the record waited until every other partition of
        // its task had nothing older, and the records behind it on its partition waited with it (on a backlog, until
        // the backlog was drained, by when they were late). Its processor refuses it; it only has to get there.
        var refusing = new StreamTopologyBuilder("app")
            .AddSubTopology("presence", ["location", "beacon"], () => new CountingProcessor("out"))
            .RefusesTimestampsAhead(TimeSpan.FromMinutes(5))
            .Build();
        var group = new PartitionGroup(_consumer, refusing, new StreamsOptions(), TimeProvider.System, maxBufferedPerPartition: 100);
        var inMicroseconds = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000;
        foreach (var (partition, timestampMs) in new[] { (Fixes, 100L), (Beacons, inMicroseconds), (Beacons, 150L), (Fixes, 200L), (Fixes, 300L) })
        {
            group.Add(Record(partition, timestampMs));
        }

        ReachedEnd(group, Beacons, Fixes);
        var taken = new List<long>();
        while (NextTimestamp(group, [Task0], TimeProvider.System.GetTimestamp()) is { } next)
        {
            taken.Add(next);
        }

        Assert.Equal([inMicroseconds, 100L, 150, 200, 300], taken);
    }

    [Fact]
    public void A_partition_at_its_end_still_holds_its_task_while_records_its_own_thread_sent_to_it_are_not_fetched()
    {
        // The drain of a backlog on one thread: the context stage reads the routed events from a repartition topic the
        // same thread writes, whose end-of-partition event cannot know of records sent since. Taking the profile (here a
        // beacon) first put the task's stream time past them: 989 contexts and 72 triggers of a drain differed from the
        // replay, stale for a rule's maxEventAge.
        var group = Group(maxTaskIdleMs: 2_000);
        var now = TimeProvider.System.GetTimestamp();
        group.Add(Record(Beacons, 500));
        ReachedEnd(group, Beacons, Fixes);
        _consumer.OwnOutputNotFetched.Add(Fixes);

        Assert.Null(NextTimestamp(group, [Task0], now));

        group.Add(Record(Fixes, 100));
        _consumer.OwnOutputNotFetched.Remove(Fixes);
        ReachedEnd(group, Fixes);
        Assert.Equal(100, NextTimestamp(group, [Task0], now));
        Assert.Equal(500, NextTimestamp(group, [Task0], now));
    }

    [Fact]
    public void The_group_asks_for_a_partitions_own_output_check_once_and_not_for_every_record_it_hands_out()
    {
        // Every record handed out looks at every empty partition of every task: asking the collector each time hashed
        // the partition's topic name twice per look, 5 % of a drain's CPU.
        var group = Group();
        foreach (var timestampMs in new[] { 100L, 200, 300, 400 })
        {
            group.Add(Record(Beacons, timestampMs));
        }

        ReachedEnd(group, Beacons, Fixes);
        var taken = new List<long>();
        while (NextTimestamp(group, [Task0], TimeProvider.System.GetTimestamp()) is { } timestampMs)
        {
            taken.Add(timestampMs);
        }

        Assert.Equal([100L, 200, 300, 400], taken);
        Assert.Equal(1, _consumer.OwnOutputChecksMade[Fixes]);
        Assert.All(_consumer.OwnOutputChecksMade.Values, asked => Assert.Equal(1, asked));
    }

    [Fact]
    public void The_tasks_of_a_sub_topology_wait_for_a_partition_of_one_of_them_that_may_hold_older_records()
    {
        var group = Group(maxTaskIdleMs: 2_000);
        var beacons1 = new TopicPartition("beacon", 1);
        var fixes1 = new TopicPartition("location", 1);
        group.Add(Record(Beacons, 100));
        group.Add(Record(Fixes, 150));
        group.Add(Record(beacons1, 300));
        ReachedEnd(group, Beacons, Fixes, beacons1);

        var start = TimeProvider.System.GetTimestamp();

        // Task 1's location partition may still hold a fix older than anything buffered: nobody runs ahead of it.
        Assert.Null(NextTimestamp(group, [Task0, ("presence", 1)], start));
        Assert.True(group.AnyTaskWaiting);
        group.Add(Record(fixes1, 120));
        ReachedEnd(group, fixes1);
        var taken = new List<long>();
        while (group.NextAcross([Task0, ("presence", 1)], start) is { } next)
        {
            taken.Add(next.Record.Message.Timestamp.UnixTimestampMs);
        }

        Assert.Equal([100L, 120, 150, 300], taken);
    }

    [Fact]
    public void A_drained_partition_the_consumer_knows_to_be_caught_up_holds_nobody()
    {
        // Live traffic: a record was taken from task 1's location partition and no EOF has come yet, but the last fetch
        // said there is nothing more. Waiting for it would only add latency.
        var group = Group(maxTaskIdleMs: 60_000);
        var fixes1 = new TopicPartition("location", 1);
        group.Add(Record(Beacons, 100));
        group.Add(Record(Fixes, 150));
        group.Add(Record(fixes1, 90));
        ReachedEnd(group, Beacons, Fixes, new TopicPartition("beacon", 1));

        _consumer.CaughtUp.Add(fixes1);

        Assert.Equal(90, NextTimestamp(group, [Task0, ("presence", 1)], TimeProvider.System.GetTimestamp()));
        Assert.Equal(100, NextTimestamp(group, [Task0, ("presence", 1)], TimeProvider.System.GetTimestamp()));
    }

    [Fact]
    public void The_idle_limit_runs_per_partition_so_a_partition_that_runs_dry_later_is_waited_for_again()
    {
        // On a backlog some partition is nearly always between fetches. One clock for all of them ran out after the
        // first long wait, and the thread then ran ahead of every partition that ran dry later (a one-thread drain
        // differed from the event-time replay); each partition's own wait is what is bounded.
        var group = Group(maxTaskIdleMs: 2_000);
        var beacons1 = new TopicPartition("beacon", 1);
        group.Add(Record(Beacons, 100));
        group.Add(Record(Fixes, 150));
        group.Add(Record(beacons1, 120));
        ReachedEnd(group, Beacons, Fixes, new TopicPartition("location", 1), new TopicPartition("beacon", 2));

        (string, int)[] tasks = [Task0, ("presence", 1), ("presence", 2)];
        var start = TimeProvider.System.GetTimestamp();

        // Task 2's location partition lags and stays empty: everyone waits for it, up to the limit.
        Assert.Null(NextTimestamp(group, tasks, start));
        Assert.Equal(100, NextTimestamp(group, tasks, start + Ticks(2_000)));
        Assert.Equal(120, NextTimestamp(group, tasks, start + Ticks(2_000)));

        // Task 1's beacon partition ran dry and lags: its own wait begins now, and task 0's fix waits for it.
        Assert.Null(NextTimestamp(group, tasks, start + Ticks(2_100)));
        Assert.Equal(150, NextTimestamp(group, tasks, start + Ticks(4_100)));
    }

    [Fact]
    public void A_tasks_own_wait_does_not_run_down_while_the_thread_holds_it_for_another_task()
    {
        // Asking a held task for its head started its own wait: once the hold ended, that wait had nearly run out and
        // the task went ahead of its own partition (a one-thread drain differed from the event-time replay).
        var group = Group(maxTaskIdleMs: 2_000);
        var fixes1 = new TopicPartition("location", 1);
        group.Add(Record(Beacons, 100));
        ReachedEnd(group, new TopicPartition("beacon", 1));
        _consumer.CaughtUp.Add(Fixes);
        (string, int)[] tasks = [Task0, ("presence", 1)];
        var start = TimeProvider.System.GetTimestamp();

        Assert.Null(NextTimestamp(group, tasks, start));
        group.Add(Record(fixes1, 200));
        _consumer.CaughtUp.Add(fixes1);
        Assert.Equal(200, NextTimestamp(group, tasks, start + Ticks(1_500)));

        // Task 0 has waited for its own location partition since the hold ended, 1 s ago, not since the start.
        Assert.Null(NextTimestamp(group, tasks, start + Ticks(2_500)));
        Assert.Equal(100, NextTimestamp(group, tasks, start + Ticks(3_500)));
    }

    [Fact]
    public void A_stage_waits_while_the_stage_that_feeds_it_through_a_repartition_topic_waits_for_a_lagging_partition()
    {
        // The context stage took a side-input record while the identity stage on the same thread waited for its
        // lagging input: the older events that input held then reached the context stage through the repartition
        // topic behind the side record, and rules judged them stale (a one-thread drain slowed by tracing differed
        // from the event-time replay).
        var builder = new StreamTopologyBuilder("app");
        var repartition = builder.Repartition("by-key");
        var topology = builder
            .AddSubTopology("route", ["in"], () => new CountingProcessor(repartition), sinks: [repartition])
            .AddSubTopology("reduce", [repartition, "side"], () => new CountingProcessor("out"), sinks: ["out"])
            .Build();
        var byKey = new TopicPartition(repartition, 0);
        var side = new TopicPartition("side", 0);
        var group = new PartitionGroup(_consumer, topology, new StreamsOptions { MaxTaskIdleMs = 2_000 }, TimeProvider.System, 100);
        group.Add(Record(side, 100));
        ReachedEnd(group, byKey);
        _consumer.CaughtUp.Add(byKey);
        _consumer.CaughtUp.Add(side);
        (string, int)[] tasks = [("route", 0), ("reduce", 0)];
        var start = TimeProvider.System.GetTimestamp();

        // "in" lags and nothing of it is buffered yet: the reduce stage waits for the route stage, up to the limit.
        Assert.Null(NextTimestamp(group, tasks, start));
        Assert.Null(NextTimestamp(group, tasks, start + Ticks(1_999)));
        Assert.Equal(100, NextTimestamp(group, tasks, start + Ticks(2_000)));
    }

    [Fact]
    public void A_live_record_does_not_wait_for_another_tasks_lagging_partition()
    {
        var group = Group(maxTaskIdleMs: 60_000);
        var live = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        group.Add(Record(Beacons, live));
        group.Add(Record(Fixes, live + 1));
        ReachedEnd(group, Beacons, Fixes, new TopicPartition("beacon", 1));

        // Task 1's location partition lags, but what waits is catching up, not an event of the last moment.
        Assert.Equal(live, NextTimestamp(group, [Task0, ("presence", 1)], TimeProvider.System.GetTimestamp()));
    }

    [Fact]
    public void A_partition_that_stays_empty_holds_the_others_only_up_to_the_idle_limit()
    {
        var group = Group(maxTaskIdleMs: 2_000);
        group.Add(Record(Beacons, 100));
        group.Add(Record(Fixes, 150));
        ReachedEnd(group, Beacons, Fixes, new TopicPartition("beacon", 1));

        var start = TimeProvider.System.GetTimestamp();

        Assert.Null(NextTimestamp(group, [Task0, ("presence", 1)], start));
        Assert.Null(NextTimestamp(group, [Task0, ("presence", 1)], start + Ticks(1_999)));

        Assert.Equal(100, NextTimestamp(group, [Task0, ("presence", 1)], start + Ticks(2_000)));
    }

    [Fact]
    public void A_task_waits_for_a_partition_that_may_hold_older_records_then_goes_ahead_after_the_idle_limit()
    {
        var group = Group(maxTaskIdleMs: 2_000);
        group.Add(Record(Beacons, 180));
        var start = TimeProvider.System.GetTimestamp();

        Assert.Null(group.Next(Task0, start));
        Assert.True(group.AnyTaskWaiting);
        Assert.Null(group.Next(Task0, start + Ticks(1_999)));
        Assert.Equal(180, group.Next(Task0, start + Ticks(2_000))!.Message.Timestamp.UnixTimestampMs);
        Assert.False(group.AnyTaskWaiting);
    }

    [Fact]
    public void A_partition_known_to_be_at_its_end_does_not_make_the_task_wait()
    {
        var group = Group(maxTaskIdleMs: 60_000);
        ReachedEnd(group, Fixes);
        group.Add(Record(Beacons, 180));

        Assert.Equal(180, group.Next(Task0, TimeProvider.System.GetTimestamp())!.Message.Timestamp.UnixTimestampMs);
    }

    [Fact]
    public void A_full_partition_is_paused_and_resumed_when_its_task_has_worked_it_down_to_half()
    {
        var group = Group(maxBuffered: 4);
        ReachedEnd(group, Fixes);
        foreach (var t in new[] { 1L, 2, 3, 4 })
        {
            group.Add(Record(Beacons, t));
        }

        Assert.Equal(["pause beacon[0]"], _consumer.Calls);
        group.Processed(Take(group));
        Assert.Equal(["pause beacon[0]"], _consumer.Calls);
        group.Processed(Take(group));
        Assert.Equal(["pause beacon[0]", "resume beacon[0]"], _consumer.Calls);
    }

    private PartitionGroup Group(int maxTaskIdleMs = 0, int maxBuffered = 100) =>
        new(_consumer, Topology, new StreamsOptions { MaxTaskIdleMs = maxTaskIdleMs, TransientRetryBackoffMs = 100, TransientRetryBackoffMaxMs = 500 }, TimeProvider.System, maxBuffered);

    /// <summary>The timestamp of the record the thread takes next at <paramref name="nowTimestamp"/>, or null when it waits.</summary>
    private static long? NextTimestamp(PartitionGroup group, IReadOnlyList<(string, int)> tasks, long nowTimestamp) =>
        group.NextAcross(tasks, nowTimestamp)?.Record.Message.Timestamp.UnixTimestampMs;

    /// <summary>The consumer read these partitions to their end (its end-of-partition events).</summary>
    private static void ReachedEnd(PartitionGroup group, params TopicPartition[] partitions)
    {
        foreach (var partition in partitions)
        {
            group.ReachedEnd(new TopicPartitionOffset(partition, EndOffset));
        }
    }

    private static TopicPartition Take(PartitionGroup group) => group.Next(Task0, TimeProvider.System.GetTimestamp())!.TopicPartition;

    private static long Ticks(int milliseconds) => TimeProvider.System.TimestampFrequency * milliseconds / 1_000;

    private static ConsumeResult<byte[]?, byte[]?> Record(TopicPartition partition, long timestampMs) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(partition, timestampMs),
        Message = new Message<byte[]?, byte[]?> { Timestamp = new Timestamp(timestampMs, TimestampType.CreateTime) },
    };
}
