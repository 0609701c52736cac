using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// A commit's changelog records are made before the outputs' flush and sent after it. Making them sends the
/// processors' once-per-commit outputs (snapshots), so that flush covers those too, and no changelog record: one sent
/// then could become durable ahead of an output of the inputs it marks applied, and a crash would lose that output.
/// What is sent must be exactly what was made.
/// </summary>
public sealed class ChangelogBatchTests
{
    private const string Changelog = "app-counts-changelog";
    private const string Snapshots = "snapshots";
    private static readonly StreamTopology Counting = new StreamTopologyBuilder("app")
        .AddStore(CountingProcessor.Store)
        .AddSubTopology("count", ["in"], () => new CountThenSnapshot(), [CountingProcessor.Store], ["out", Snapshots])
        .Build();

    [Fact]
    public void Prepare_SendsTheSnapshotsButNoChangelogRecord_AndSendThenSendsTheLatestCountPerKey()
    {
        var (task, sent) = CountingTask("alice", "alice", "alice", "bob");
        var batch = new ChangelogBatch();
        var changed = new List<StoreChange>();

        batch.Prepare([task], changed);

        Assert.DoesNotContain(sent, r => r.Topic == Changelog);
        Assert.Equal(["alice", "bob"], sent.Where(r => r.Topic == Snapshots).Select(r => Encoding.UTF8.GetString(r.Key!)));
        Assert.Equal(["alice", "bob"], changed.Select(c => c.Key).Order());

        batch.Send([task], changed, new ListCollector(sent));

        var changelog = CountsIn(sent);
        Assert.Equal(new Dictionary<string, long> { ["alice"] = 3, ["bob"] = 1 }, changelog);
        Assert.Equal(2, changed.Count);
    }

    [Fact]
    public void Send_WithoutPrepare_MakesTheRecordsItself()
    {
        var (task, sent) = CountingTask("alice", "bob", "bob");
        var changed = new List<StoreChange>();

        new ChangelogBatch().Send([task], changed, new ListCollector(sent));

        Assert.Equal(new Dictionary<string, long> { ["alice"] = 1, ["bob"] = 2 }, CountsIn(sent));
        Assert.Equal(["alice", "bob"], changed.Select(c => c.Key).Order());
    }

    [Fact]
    public void Discard_DropsThePreparedRecords_SoNoLaterCommitSendsThem()
    {
        var (task, sent) = CountingTask("alice");
        var batch = new ChangelogBatch();
        batch.Prepare([task], []);

        batch.Discard();
        batch.Send([task], [], new ListCollector(sent));

        Assert.Empty(CountsIn(sent));
    }

    /// <summary>A counting task that has processed one record per key given, its sent records collected in a list.</summary>
    private static (StreamTask Task, List<OutgoingRecord> Sent) CountingTask(params string[] keys)
    {
        var sent = new List<OutgoingRecord>();
        var task = new StreamTask(Counting, Counting.SubTopologies[0], 0, new ListCollector(sent), new StreamsOptions { StateStore = StateStoreKind.InMemory }, "app");
        for (var offset = 0; offset < keys.Length; offset++)
        {
            task.Process(new StreamRecord("in", 0, offset, 1_000 + offset, Encoding.UTF8.GetBytes(keys[offset]), "x"u8.ToArray()));
        }

        return (task, sent);
    }

    /// <summary>The count per key in the changelog records sent (the runtime's own keys, which start with a 0 byte, left out).</summary>
    private static Dictionary<string, long> CountsIn(List<OutgoingRecord> sent) =>
        sent.Where(r => r.Topic == Changelog && r.Key![0] != 0)
            .ToDictionary(r => Encoding.UTF8.GetString(r.Key!), r => CountingProcessor.Decode(Stores.StoreEntry.Decode(r.Value).Value));

    private sealed class ListCollector(List<OutgoingRecord> sent) : IRecordCollector
    {
        public void Send(OutgoingRecord record) => sent.Add(record);
    }

    /// <summary>Counts per key, and at each commit publishes the count of every key changed since the last one.</summary>
    private sealed class CountThenSnapshot : IProcessor
    {
        private readonly CountingProcessor _counting = new("out");
        private readonly SortedSet<string> _changed = new(StringComparer.Ordinal);
        private IProcessorContext _context = null!;

        public void Init(IProcessorContext context)
        {
            _context = context;
            _counting.Init(context);
        }

        public void Process(StreamRecord record)
        {
            _counting.Process(record);
            _changed.Add(record.Key!);
        }

        public void Flush()
        {
            foreach (var key in _changed)
            {
                _context.EmitVersioned(Snapshots, key, _context.Store(CountingProcessor.Store).Get(key), null, "count");
            }

            _changed.Clear();
        }
    }
}
