using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

/// <summary>
/// When a partition's records reached the broker, read from its high watermark seen over time, so that lag in seconds
/// is how long the oldest unprocessed record has waited, not how old the time it carries is.
/// </summary>
public sealed class ArrivalTimelineTests
{
    private const long Start = 1_800_000_000_000;

    [Fact]
    public void A_record_between_two_sightings_is_placed_by_its_offset_within_them()
    {
        var timeline = new ArrivalTimeline();
        timeline.Observe(highWatermark: 100, nowMs: Start);
        timeline.Observe(highWatermark: 100, nowMs: Start + 1_000);
        timeline.Observe(highWatermark: 200, nowMs: Start + 2_000);

        // Offsets 100..199 arrived after the last sighting of 100 (Start + 1 s) and by the first of 200 (Start + 2 s).
        Assert.Equal(Start + 1_010, timeline.ArrivedByMs(100, recordTimestampMs: null));
        Assert.Equal(Start + 1_500, timeline.ArrivedByMs(149, recordTimestampMs: null));
        Assert.Equal(Start + 2_000, timeline.ArrivedByMs(199, recordTimestampMs: null));
    }

    [Fact]
    public void A_record_carrying_a_months_old_event_time_counts_from_when_it_reached_the_broker()
    {
        var timeline = new ArrivalTimeline();
        timeline.Observe(0, Start);
        timeline.Observe(5_000, Start + 3_000);
        var fourMonthsEarlier = Start - (long)TimeSpan.FromDays(120).TotalMilliseconds;

        var arrived = timeline.ArrivedByMs(0, fourMonthsEarlier);

        // The partition was empty at Start and held 5,000 records 3 s later: the first of them arrived in between.
        Assert.InRange(arrived!.Value, Start, Start + 3_000);
    }

    [Fact]
    public void A_record_older_than_the_first_sighting_arrived_by_then_or_by_its_own_time_when_that_is_earlier()
    {
        var timeline = new ArrivalTimeline();
        timeline.Observe(1_000, Start);
        timeline.Observe(1_000, Start + 60_000);

        // A backlog from before the processor started: the record was on the broker by the first sighting at least,
        // and its timestamp (a producer's clock, at most as late as its arrival) can say it waited longer.
        Assert.Equal(Start, timeline.ArrivedByMs(10, recordTimestampMs: Start + 30_000));
        Assert.Equal(Start - 600_000, timeline.ArrivedByMs(10, recordTimestampMs: Start - 600_000));
        Assert.Equal(Start, timeline.ArrivedByMs(10, recordTimestampMs: null));
    }

    [Fact]
    public void Without_a_sighting_the_records_own_time_is_all_there_is()
    {
        var timeline = new ArrivalTimeline();

        Assert.Equal(Start - 5_000, timeline.ArrivedByMs(10, Start - 5_000));
        Assert.Null(timeline.ArrivedByMs(10, recordTimestampMs: null));
    }

    [Fact]
    public void An_offset_not_yet_seen_on_the_broker_has_no_arrival()
    {
        var timeline = new ArrivalTimeline();
        timeline.Observe(100, Start);

        Assert.Null(timeline.ArrivedByMs(100, Start - 5_000));
    }

    [Fact]
    public void Hours_of_steady_sightings_keep_a_bounded_history_that_still_places_old_and_new_records()
    {
        var timeline = new ArrivalTimeline();
        // Four hours of a commit every 100 ms, ten records a commit: 144,000 sightings.
        for (var i = 0; i <= 144_000; i++)
        {
            timeline.Observe(10L * i, Start + (100L * i));
        }

        Assert.True(timeline.Sightings <= ArrivalTimeline.MaxSightings, $"{timeline.Sightings} sightings kept");
        // The newest records are placed to within a commit interval; one from the first hour within a tenth of its age.
        var newest = timeline.ArrivedByMs(1_439_995, null)!.Value;
        Assert.InRange(newest, Start + 14_399_400, Start + 14_400_000);
        var early = timeline.ArrivedByMs(100_000, null)!.Value;
        var trueArrival = Start + 1_000_000;
        var age = Start + 14_400_000 - trueArrival;
        Assert.InRange(early, trueArrival - (age / 10), trueArrival + (age / 10));
        Assert.Equal(Start + 10, timeline.ArrivedByMs(0, null));
    }

    [Fact]
    public void Bursts_at_uneven_times_are_placed_to_within_a_small_share_of_their_age()
    {
        // Two hours of bursts of 1 to 100,000 records, each arriving at once at a random second, sighted every 100 ms as
        // a stream thread's commits sight them: a straight line between distant sightings would misplace most of them.
        var random = new Random(7);
        var bursts = new List<(long FirstOffset, long Count, long AtMs)>();
        var total = 0L;
        for (var at = Start + 1_000; at < Start + 7_200_000; at += 1_000 * random.Next(1, 120))
        {
            var count = (long)Math.Pow(10, random.NextDouble() * 5);
            bursts.Add((total, count, at));
            total += count;
        }

        var timeline = new ArrivalTimeline();
        var arrived = 0;
        var now = Start;
        for (; arrived < bursts.Count; now += 100)
        {
            while (arrived < bursts.Count && bursts[arrived].AtMs < now)
            {
                arrived++;
            }

            timeline.Observe(arrived == 0 ? 0 : bursts[arrived - 1].FirstOffset + bursts[arrived - 1].Count, now);
        }

        // Dropping the oldest sightings instead misplaced a burst by 8.8 % of its age, the newest 230 %; this keeps 5 %.
        Assert.All(bursts, burst =>
        {
            var estimate = timeline.ArrivedByMs(burst.FirstOffset + (burst.Count / 2), null)!.Value;
            var allowed = Math.Max(200, (now - burst.AtMs) / 15);
            Assert.InRange(estimate, burst.AtMs - allowed, burst.AtMs + allowed);
        });
    }

    [Fact]
    public void A_high_watermark_that_goes_back_starts_the_history_again()
    {
        var timeline = new ArrivalTimeline();
        timeline.Observe(1_000, Start);
        timeline.Observe(2_000, Start + 1_000);

        // The topic was deleted and created again (or an unclean leader election lost its tail).
        timeline.Observe(50, Start + 5_000);

        Assert.Equal(Start + 5_000, timeline.ArrivedByMs(10, recordTimestampMs: null));
    }
}
