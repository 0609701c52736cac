using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;

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

    private static List<string> Ticks(TopologyTestDriver driver) =>
        [.. driver.ReadOutput("ticks").Select(o => Encoding.UTF8.GetString(o.Value!))];

    private static StreamTopology Topology(PunctuationType type) =>
        new StreamTopologyBuilder("app").AddStore("seen")
            .AddSubTopology("tick", ["in"], () => new TickProcessor(type), ["seen"], ["ticks", "seen-log"])
            .Build();

    private sealed class TickProcessor(PunctuationType type) : IProcessor
    {
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context)
        {
            _context = context;
            context.Schedule("tick", TimeSpan.FromSeconds(10), type, time =>
                _context.Emit("ticks", "tick", Encoding.UTF8.GetBytes(time.ToString(CultureInfo.InvariantCulture)), time));
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
