using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// What a commit tells its observers (the Redis sink): the store keys it made durable, once per key, deletions marked,
/// the timestamp of the newest input record that changed each (none for a timer's change), and none of the runtime's
/// own bookkeeping (stream time) among them.
/// </summary>
public sealed class CommittedChangesTests
{
    [Fact]
    public void Commit_NamesEachChangedKeyOnce_MarksDeletions_AndLeavesOutTheRuntimesKeys()
    {
        var driver = new TopologyTestDriver(PutOrDelete.Topology());
        // Alice's second record is older than her first: the change names the newer one.
        driver.PipeInput("in", "alice", "v1", 1_001);
        driver.PipeInput("in", "alice", "v2", 1_000);
        driver.PipeInput("in", "bob", "v1", 1_002);
        driver.PipeInput("in", "carol", "v1", 1_003);
        driver.PipeInput("in", "carol", PutOrDelete.DeleteValue, 1_004);

        var changes = driver.Commit();

        Assert.Equal(
            [new(PutOrDelete.Store, 0, "alice", false, 1_001), new(PutOrDelete.Store, 0, "bob", false, 1_002), new(PutOrDelete.Store, 0, "carol", true, 1_004)],
            changes.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Contains(driver.ReadOutput("app-entries-changelog"), r => ChangelogRecords.IsRuntimeKey(Encoding.UTF8.GetString(r.Key!)));
    }

    [Fact]
    public void A_key_a_timer_changed_names_no_input_record_and_one_a_record_changed_after_the_timer_names_that_record()
    {
        // The Redis sink measures event-to-Redis latency from the record that caused a change. A timer's change has no
        // such record; measured from the context's older event time it looked seconds late (demo p99 about 3 s).
        var driver = new TopologyTestDriver(PutOrDelete.Topology(tickEveryMs: 10_000));
        driver.PipeInput("in", "alice", "v1", 1_000);
        driver.Commit();

        // Stream time passes 10 s: the timer stamps "ticked" under its own key, then bob's record arrives after it.
        driver.PipeInput("in", "bob", "v1", 12_000);
        var changes = driver.Commit();

        Assert.Equal(
            [new(PutOrDelete.Store, 0, "bob", false, 12_000), new(PutOrDelete.Store, 0, PutOrDelete.TickKey, false, StoreChange.NoInputRecord)],
            changes.OrderBy(c => c.Key, StringComparer.Ordinal));
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

        public const string TickKey = "ticked";

        private readonly long _tickEveryMs;
        private IKeyValueStore _entries = null!;

        private PutOrDelete(long tickEveryMs) => _tickEveryMs = tickEveryMs;

        /// <param name="tickEveryMs">When positive, a stream-time timer puts <see cref="TickKey"/> this often.</param>
        public static StreamTopology Topology(long tickEveryMs = 0) =>
            new StreamTopologyBuilder("app").AddStore(Store).DeadLetterTo("dlq").AddSubTopology("put", ["in"], () => new PutOrDelete(tickEveryMs), [Store]).Build();

        public void Init(IProcessorContext context)
        {
            _entries = context.Store(Store);
            if (_tickEveryMs > 0)
            {
                context.Schedule("tick", TimeSpan.FromMilliseconds(_tickEveryMs), PunctuationType.StreamTime, now => _entries.Put(TickKey, Encoding.UTF8.GetBytes(now.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

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
