using System.Globalization;
using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// Typed stores with a write-back of encodings: a processor puts objects; a key changed by many records between two
/// commits is encoded once, at the commit, and an unchanged value is decoded at most once. Replays are still
/// recognised, and restore brings the same values back.
/// </summary>
public sealed class TypedStoreTests
{
    [Fact]
    public void A_key_changed_by_many_records_is_encoded_once_per_commit_and_never_decoded_while_it_lives_in_memory()
    {
        var serde = new TallySerde();
        var driver = new TopologyTestDriver(TallyProcessor.Topology(serde));

        for (var i = 0; i < 50; i++)
        {
            driver.PipeInput("in", i % 2 == 0 ? "alice" : "bob", "x", 1_000 + i);
        }

        Assert.Equal(0, serde.Encodes);
        driver.Commit();
        Assert.Equal(2, serde.Encodes);
        Assert.Equal(0, serde.Decodes);

        var changelog = driver.ReadOutput("app-tallies-changelog").Where(r => r.Key![0] != 0).ToList();
        Assert.Equal(["alice", "bob"], changelog.Select(r => Encoding.UTF8.GetString(r.Key!)).Order());
        Assert.Equal("25", Encoding.UTF8.GetString(driver.StoreContents("tallies")["alice"]));
    }

    [Fact]
    public void After_a_crash_restored_values_are_decoded_once_and_replayed_inputs_are_not_counted_twice()
    {
        var serde = new TallySerde();
        var driver = new TopologyTestDriver(TallyProcessor.Topology(serde));
        for (var i = 0; i < 8; i++)
        {
            driver.PipeInput("in", "alice", "x", 1_000 + i);
        }

        driver.Commit();
        driver.CrashAndRestore();
        var decodesAfterRestore = serde.Decodes;

        driver.ReplayFrom("in", 0, fromOffset: 5);
        driver.PipeInput("in", "alice", "x", 2_000);
        driver.PipeInput("in", "alice", "x", 2_001);
        driver.Commit();

        Assert.Equal("10", Encoding.UTF8.GetString(driver.StoreContents("tallies")["alice"]));
        Assert.Equal(decodesAfterRestore + 1, serde.Decodes);
    }

    private sealed class Tally(long count)
    {
        public long Count { get; } = count;
    }

    private sealed class TallySerde : StateSerde<Tally>
    {
        public int Encodes { get; private set; }

        public int Decodes { get; private set; }

        public override byte[] Encode(Tally value)
        {
            Encodes++;
            return Encoding.UTF8.GetBytes(value.Count.ToString(CultureInfo.InvariantCulture));
        }

        public override Tally Decode(ReadOnlySpan<byte> data)
        {
            Decodes++;
            return new Tally(long.Parse(Encoding.UTF8.GetString(data), CultureInfo.InvariantCulture));
        }
    }

    private sealed class TallyProcessor(TallySerde serde) : IProcessor
    {
        private IProcessorContext _context = null!;
        private TypedKeyValueStore<Tally> _tallies = null!;

        public static StreamTopology Topology(TallySerde serde) =>
            new StreamTopologyBuilder("app").AddStore("tallies").DeadLetterTo("dlq").AddSubTopology("tally", ["in"], () => new TallyProcessor(serde), ["tallies"], []).Build();

        public void Init(IProcessorContext context)
        {
            _context = context;
            _tallies = context.Store("tallies").Typed(serde);
        }

        public void Process(StreamRecord record)
        {
            var key = record.Key!;
            if (!_context.IsReplay(_tallies.Bytes, key))
            {
                _tallies.Put(key, new Tally((_tallies.Get(key)?.Count ?? 0) + 1));
            }
        }
    }
}
