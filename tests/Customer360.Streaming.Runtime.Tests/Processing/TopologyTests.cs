using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

public sealed class TopologyTests
{
    [Fact]
    public void Describe_ListsSubTopologiesSourcesStoresAndSinks()
    {
        var text = RekeyThenCount().Describe();

        Assert.Contains("Sub-topology 0: rekey", text, StringComparison.Ordinal);
        Assert.Contains("Source: events", text, StringComparison.Ordinal);
        Assert.Contains("--> Sink: app-by-customer-repartition (repartition)", text, StringComparison.Ordinal);
        Assert.Contains("Sub-topology 1: count", text, StringComparison.Ordinal);
        Assert.Contains("Store: counts (changelog app-counts-changelog)", text, StringComparison.Ordinal);
        Assert.Contains("--> Sink: counts-out", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Repartition_RekeyedRecordsAreCountedByNewKeyAndKeepTheirOrigin()
    {
        var driver = new TopologyTestDriver(RekeyThenCount(), partitions: 4);
        driver.PipeInput("events", "device:1", "alice", 1_000);
        driver.PipeInput("events", "device:2", "alice", 1_001);
        driver.PipeInput("events", "device:3", "bob", 1_002);

        var outputs = driver.ReadOutput("counts-out");
        Assert.Equal(3, outputs.Count);
        var aliceLast = outputs.Last(o => Encoding.UTF8.GetString(o.Key!) == "alice");
        Assert.Equal(2, CountingProcessor.Decode(aliceLast.Value));
        // The origin survives the repartition hop: it names the input record, not the repartition offset.
        var origin = RecordOrigin.FromHeader(RecordHeaders.FindBytes(aliceLast.Headers, RecordHeaders.Origin), new OriginTopics(["events"]));
        Assert.Equal("events", origin?.Topic);
        var deviceTwoPartition = Murmur2.Partition(Encoding.UTF8.GetBytes("device:2"), 4);
        Assert.Equal(deviceTwoPartition, origin?.Partition);
    }

    [Fact]
    public void Build_InvalidTopology_ListsEveryProblem()
    {
        var builder = new StreamTopologyBuilder("app")
            .AddStore("s")
            .AddSubTopology("a", ["t1"], () => new CountingProcessor("x"), ["s", "missing"])
            .AddSubTopology("b", ["t1"], () => new CountingProcessor("x"), ["s"])
            .AddSubTopology("a", [], () => new CountingProcessor("x"));

        var error = Assert.Throws<TopologyException>(builder.Build);

        Assert.Contains("sub-topology name 'a' is used twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("topic 't1' is a source of several sub-topologies (a, b)", error.Message, StringComparison.Ordinal);
        Assert.Contains("uses undeclared store 'missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("store 's' is used by several sub-topologies", error.Message, StringComparison.Ordinal);
        Assert.Contains("sub-topology 'a' has no source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyPartitions_ChangelogWithOtherCountThanSources_FailsNamingBoth()
    {
        var topology = CountingProcessor.Topology("app", "in", "out");

        var error = Assert.Throws<TopologyException>(() => topology.VerifyPartitions(new Dictionary<string, int> { ["in"] = 6, ["app-counts-changelog"] = 4, ["dlq"] = 1 }));

        Assert.Contains("sub-topology 'count' is not co-partitioned: in=6, app-counts-changelog=4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameInput_TwoIndependentRuns_GiveIdenticalOutputsAndIds()
    {
        static List<string> Run()
        {
            var driver = new TopologyTestDriver(RekeyThenCount(), partitions: 3);
            for (var i = 0; i < 30; i++)
            {
                driver.PipeInput("events", $"device:{i % 7}", $"customer-{i % 4}", 1_000 + (i * 10));
            }

            return [.. driver.ReadOutput("counts-out").Select(o => $"{o.OutputId}:{Encoding.UTF8.GetString(o.Key!)}:{CountingProcessor.Decode(o.Value)}")];
        }

        Assert.Equal(Run(), Run());
    }

    internal static StreamTopology RekeyThenCount() => Customer360.Streaming.Testing.Streams.RekeyThenCount.Topology("app", "events", "counts-out");
}
