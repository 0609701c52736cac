using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Runtime.Tests.Processing;

public sealed class PunctuationTests
{
    [Fact]
    public void StreamTimePunctuation_FiresOnlyAsRecordTimeCrossesIntervalBoundaries()
    {
        var driver = new TopologyTestDriver(Topology(PunctuationType.StreamTime));

        driver.PipeInput("in", "k", "x", 1_000);
        driver.AdvanceWallClock(TimeSpan.FromHours(1));
        Assert.Empty(driver.ReadOutput("ticks"));

        driver.PipeInput("in", "k", "x", 9_999);
        driver.PipeInput("in", "k", "x", 10_000);
        driver.PipeInput("in", "k", "x", 10_500);
        driver.PipeInput("in", "k", "x", 35_000);

        Assert.Equal(["10000", "35000"], Ticks(driver));
    }

    [Fact]
    public void WallClockPunctuation_FiresWithoutAnyNewRecord()
    {
        var driver = new TopologyTestDriver(Topology(PunctuationType.WallClockTime), startWallClockMs: 0);
        driver.PipeInput("in", "k", "x", 1_000);

        driver.AdvanceWallClock(TimeSpan.FromSeconds(5));
        driver.AdvanceWallClock(TimeSpan.FromSeconds(5));
        driver.AdvanceWallClock(TimeSpan.FromSeconds(4));
        driver.AdvanceWallClock(TimeSpan.FromSeconds(7));

        Assert.Equal(["10000", "21000"], Ticks(driver));
    }

    [Fact]
    public void StreamTimePunctuation_AfterCrashAndRestore_ResumesOnTheSameSchedule()
    {
        static List<string> Run(bool crash)
        {
            var driver = new TopologyTestDriver(Topology(PunctuationType.StreamTime));
            driver.PipeInput("in", "k", "x", 1_000);
            driver.PipeInput("in", "k", "x", 12_000);
            driver.Commit();
            if (crash)
            {
                driver.CrashAndRestore();
            }

            driver.PipeInput("in", "k", "x", 15_000);
            driver.PipeInput("in", "k", "x", 21_000);
            return [.. driver.ReadOutput("ticks").Select(o => $"{o.OutputId}@{Encoding.UTF8.GetString(o.Value!)}")];
        }

        Assert.Equal(Run(crash: false), Run(crash: true));
    }

    [Fact]
    public void A_record_whose_timestamp_the_processor_disregards_moves_no_stream_time_and_dates_no_store_change_or_output()
    {
        var driver = new TopologyTestDriver(Topology(PunctuationType.StreamTime));
        driver.PipeInput("in", "k", "x", 1_000);
        driver.Commit();

        var undated = driver.PipeInput("in", "undated", TickProcessor.Undated, 1_000_000_000_000_000);
        var changes = driver.Commit();
        driver.PipeInput("in", "k", "x", 12_000);

        Assert.Equal(TaskOutcome.Processed, undated);
        Assert.Equal(StoreChange.NoInputRecord, Assert.Single(changes, c => c.Key == "undated").CausedAtMs);
        Assert.Equal([1_000, 1_000, 12_000], driver.ReadOutput("seen-log").Select(o => o.TimestampMs));
        Assert.Equal(["12000"], Ticks(driver));
    }

    [Fact]
    public void A_wall_clock_punctuation_refused_by_a_dependency_that_is_down_runs_again_at_its_next_time_instead_of_stopping_the_task()
    {
        // By hand: a Schema Registry stopped under `c360 run` while a dwell timer was due. The idle-timer punctuation
        // encoded the trigger, the registry refused, and the stream thread failed for good: the processor stopped.
        var logger = new RecordingLogger();
        var driver = new TopologyTestDriver(Topology(PunctuationType.WallClockTime, refusals: 2), startWallClockMs: 0) { TaskLogger = logger };
        driver.PipeInput("in", "k", "x", 1_000);
        driver.AdvanceWallClock(TimeSpan.FromSeconds(5));

        driver.AdvanceWallClock(TimeSpan.FromSeconds(5));
        driver.AdvanceWallClock(TimeSpan.FromSeconds(10));
        Assert.Empty(Ticks(driver));
        driver.AdvanceWallClock(TimeSpan.FromSeconds(10));

        Assert.Equal(["30000"], Ticks(driver));
        const string Reason = "TransientProcessingException (message withheld: it may contain record data)";
        Assert.Equal(
            [
                (LogLevel.Warning, $"Task tick/0 left its punctuation tick to its next time: {Reason}"),
                (LogLevel.Debug, $"Task tick/0 left its punctuation tick to its next time again: {Reason}"),
                (LogLevel.Information, "Task tick/0 ran its punctuation tick again (refused in a row before: 2)"),
            ],
            logger.Entries);
    }

    [Fact]
    public void A_stream_time_punctuation_refused_by_a_dependency_that_is_down_leaves_its_record_processed_and_runs_again_at_its_next_time()
    {
        // The record that moved stream time was processed before its punctuation ran: retrying the record would apply it twice.
        var driver = new TopologyTestDriver(Topology(PunctuationType.StreamTime, refusals: 1));
        driver.PipeInput("in", "k", "x", 1_000);

        Assert.Equal(TaskOutcome.Processed, driver.PipeInput("in", "k", "x", 10_000));
        driver.PipeInput("in", "k", "x", 21_000);

        Assert.Equal(["21000"], Ticks(driver));
        Assert.Equal(3, driver.ReadOutput("seen-log").Count);
    }

    private static List<string> Ticks(TopologyTestDriver driver) =>
        [.. driver.ReadOutput("ticks").Select(o => Encoding.UTF8.GetString(o.Value!))];

    private static StreamTopology Topology(PunctuationType type, int refusals = 0) =>
        new StreamTopologyBuilder("app").AddStore("seen")
            .AddSubTopology("tick", ["in"], () => new TickProcessor(type, refusals), ["seen"], ["ticks", "seen-log"])
            .Build();

    /// <summary>Ticks at every punctuation; the first <paramref name="refusals"/> find their dependency down.</summary>
    private sealed class TickProcessor(PunctuationType type, int refusals = 0) : IProcessor
    {
        private IProcessorContext _context = null!;
        private int _refused;

        public void Init(IProcessorContext context)
        {
            _context = context;
            context.Schedule("tick", TimeSpan.FromSeconds(10), type, time =>
            {
                if (_refused++ < refusals)
                {
                    throw new TransientProcessingException("the registry is unreachable");
                }

                _context.Emit("ticks", "tick", Encoding.UTF8.GetBytes(time.ToString(CultureInfo.InvariantCulture)), time);
            });
        }

        /// <summary>A value whose record's timestamp the processor says is wrong.</summary>
        public const string Undated = "undated";

        public void Process(StreamRecord record)
        {
            if (Encoding.UTF8.GetString(record.Value!) == Undated)
            {
                _context.DisregardTimestamp();
            }

            _context.Store("seen").Put(record.Key!, record.Value!);
            _context.Emit("seen-log", record.Key, record.Value);
        }
    }
}
