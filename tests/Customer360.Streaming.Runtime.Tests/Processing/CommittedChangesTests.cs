using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// What a commit tells its observers (the Redis sink): the store keys it made durable, once per key, deletions marked,
/// and none of the runtime's own bookkeeping (stream time) among them.
/// </summary>
public sealed class CommittedChangesTests
{
    [Fact]
    public void Commit_NamesEachChangedKeyOnce_MarksDeletions_AndLeavesOutTheRuntimesKeys()
    {
        var driver = new TopologyTestDriver(PutOrDelete.Topology());
        driver.PipeInput("in", "alice", "v1", 1_000);
        driver.PipeInput("in", "alice", "v2", 1_001);
        driver.PipeInput("in", "bob", "v1", 1_002);
        driver.PipeInput("in", "carol", "v1", 1_003);
        driver.PipeInput("in", "carol", PutOrDelete.DeleteValue, 1_004);

        var changes = driver.Commit();

        Assert.Equal(
            [new(PutOrDelete.Store, 0, "alice", false), new(PutOrDelete.Store, 0, "bob", false), new(PutOrDelete.Store, 0, "carol", true)],
            changes.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Contains(driver.ReadOutput("app-entries-changelog"), r => ChangelogRecords.IsRuntimeKey(Encoding.UTF8.GetString(r.Key!)));
    }

    [Fact]
    public void A_CommitWithNothingNew_NamesNothing()
    {
        var driver = new TopologyTestDriver(PutOrDelete.Topology());
        driver.PipeInput("in", "alice", "v1", 1_000);
        driver.Commit();

        Assert.Empty(driver.Commit());
    }

    /// <summary>Puts each record's value under its key, or deletes the key when the value is <see cref="DeleteValue"/>.</summary>
    private sealed class PutOrDelete : IProcessor
    {
        public const string Store = "entries";
        public const string DeleteValue = "delete";

        private IKeyValueStore _entries = null!;

        public static StreamTopology Topology() =>
            new StreamTopologyBuilder("app").AddStore(Store).DeadLetterTo("dlq").AddSubTopology("put", ["in"], () => new PutOrDelete(), [Store]).Build();

        public void Init(IProcessorContext context) => _entries = context.Store(Store);

        public void Process(StreamRecord record)
        {
            if (record.Value is { } value && Encoding.UTF8.GetString(value) != DeleteValue)
            {
                _entries.Put(record.Key!, value);
            }
            else
            {
                _entries.Delete(record.Key!);
            }
        }
    }
}
