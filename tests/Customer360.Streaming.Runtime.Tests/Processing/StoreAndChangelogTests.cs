using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

public sealed class StoreAndChangelogTests
{
    private static readonly StreamTopology Counting = CountingProcessor.Topology("app", "in", "out");

    [Fact]
    public void Commit_ManyUpdatesOfOneKey_WritesOnlyTheLatestValueToTheChangelog()
    {
        var driver = new TopologyTestDriver(Counting);
        for (var i = 0; i < 5; i++)
        {
            driver.PipeInput("in", "alice", "x", 1_000 + i);
        }

        driver.PipeInput("in", "bob", "x", 2_000);
        driver.Commit();

        var changelog = driver.ReadOutput("app-counts-changelog").Where(r => r.Key![0] != 0).ToList();
        Assert.Equal(["alice", "bob"], changelog.Select(r => Encoding.UTF8.GetString(r.Key!)).Order());
        Assert.Equal(5, CountingProcessor.Decode(driver.StoreContents("counts")["alice"]));
        Assert.Equal(6, driver.ReadOutput("out").Count);
    }

    [Fact]
    public void CrashAfterChangelogBeforeOffsets_ReplayedInputsAreRecognisedAndNotCountedTwice()
    {
        var driver = new TopologyTestDriver(Counting);
        for (var i = 0; i < 8; i++)
        {
            driver.PipeInput("in", "alice", "x", 1_000 + i);
        }

        driver.Commit();
        driver.CrashAndRestore();
        var outputsBefore = driver.ReadOutput("out").Count;

        driver.ReplayFrom("in", 0, fromOffset: 5);

        Assert.Equal(8, CountingProcessor.Decode(driver.StoreContents("counts")["alice"]));
        Assert.Equal(outputsBefore, driver.ReadOutput("out").Count);
        Assert.Equal(8, outputsBefore);
    }

    [Fact]
    public void CrashBeforeChangelog_ReplayReappliesLostWorkAndReEmitsWithTheSameIds()
    {
        var driver = new TopologyTestDriver(Counting);
        for (var i = 0; i < 5; i++)
        {
            driver.PipeInput("in", "alice", "x", 1_000 + i);
        }

        driver.Commit();
        for (var i = 5; i < 8; i++)
        {
            driver.PipeInput("in", "alice", "x", 1_000 + i);
        }

        driver.CrashAndRestore();
        Assert.Equal(5, CountingProcessor.Decode(driver.StoreContents("counts")["alice"]));

        driver.ReplayFrom("in", 0, fromOffset: 5);

        var outputs = driver.ReadOutput("out");
        Assert.Equal(8, CountingProcessor.Decode(driver.StoreContents("counts")["alice"]));
        Assert.Equal(11, outputs.Count);
        var unique = outputs.DistinctBy(o => o.OutputId).ToList();
        Assert.Equal(8, unique.Count);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), unique.Select(o => CountingProcessor.Decode(o.Value)));
    }

    [Fact]
    public void Delete_WritesATombstoneAndRestoreRemovesTheKey()
    {
        var topology = new StreamTopologyBuilder("app").AddStore("s")
            .AddSubTopology("erase", ["in"], () => new EraseOnEmptyProcessor(), ["s"]).Build();
        var driver = new TopologyTestDriver(topology);
        driver.PipeInput("in", "alice", "v1", 1);
        driver.Commit();
        driver.PipeInput("in", "alice", string.Empty, 2);
        driver.Commit();

        var last = driver.ReadOutput("app-s-changelog").Last(r => Encoding.UTF8.GetString(r.Key!) == "alice");
        Assert.Null(last.Value);
        driver.CrashAndRestore();
        Assert.DoesNotContain("alice", driver.StoreContents("s").Keys);
    }

    private sealed class EraseOnEmptyProcessor : IProcessor
    {
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context) => _context = context;

        public void Process(StreamRecord record)
        {
            var store = _context.Store("s");
            if (record.Value is { Length: 0 })
            {
                store.Delete(record.Key!);
            }
            else
            {
                store.Put(record.Key!, record.Value!);
            }
        }
    }
}
