using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// The RocksDB store and its task folder: nothing reaches disk before the changelog acknowledged it, what did survives
/// a reopen with its applied offsets, and a checkpoint is written atomically and refused when it is not ours.
/// </summary>
public sealed class RocksDbStoreTests
{
    private readonly string _folder = TestScratch.Run.NewDirectory("c360-rocks-");

    [Fact]
    public void A_change_reaches_disk_only_once_the_changelog_acknowledged_it_and_keeps_its_applied_offsets()
    {
        var origin = new RecordOrigin("in", 0, 41);
        using (var store = Open(() => origin))
        {
            store.Put("alice", Encoding.UTF8.GetBytes("1"));
            store.Put("bob", Encoding.UTF8.GetBytes("1"));
            Assert.Equal(2, store.TakeChanges().Count);
            store.ChangesDurable();
            store.Put("carol", Encoding.UTF8.GetBytes("1"));
            store.TakeChanges();

            // Not acknowledged: a crash now must not leave carol on disk ahead of her changelog record.
        }

        using (var reopened = Open(() => origin))
        {
            Assert.Equal(["alice", "bob"], reopened.All().Select(e => e.Key));
            Assert.True(reopened.HasApplied("alice"));
            Assert.Null(reopened.Get("carol"));
        }
    }

    [Fact]
    public void Reads_see_changes_not_yet_durable_and_deletes_and_all_lists_keys_in_order_without_reserved_ones()
    {
        using var store = Open(() => null);
        store.Restore("b", ChangelogRecords.ValueFor("2"u8.ToArray()), tombstone: false);
        store.Restore("\0task:stream-time", ChangelogRecords.ValueFor("5"u8.ToArray()), tombstone: false);
        store.Restore("d", ChangelogRecords.ValueFor("4"u8.ToArray()), tombstone: false);
        store.RestoreCompleted();

        store.Put("a", Encoding.UTF8.GetBytes("1"));
        store.Delete("d");
        store.TakeChanges();
        store.Put("c", Encoding.UTF8.GetBytes("3"));

        Assert.Equal(["a", "b", "c"], store.All().Select(e => e.Key));
        Assert.Equal("5", Encoding.UTF8.GetString(store.Get("\0task:stream-time")!));
        Assert.Null(store.Get("d"));
    }

    [Fact]
    public void A_restored_value_replaces_what_was_read_of_the_key_before()
    {
        using var store = Open(() => null);
        store.Restore("alice", ChangelogRecords.ValueFor("1"u8.ToArray()), tombstone: false);
        store.RestoreCompleted();
        Assert.Equal("1", Encoding.UTF8.GetString(store.Get("alice")!));

        // Restored over a key already read (the store remembers its last look): each read must see the latest value.
        store.Restore("alice", ChangelogRecords.ValueFor("2"u8.ToArray()), tombstone: false);
        store.RestoreCompleted();
        Assert.Equal("2", Encoding.UTF8.GetString(store.Get("alice")!));

        store.Restore("alice", [], tombstone: true);
        store.RestoreCompleted();
        Assert.Null(store.Get("alice"));
    }

    [Fact]
    public void A_checkpoint_round_trips_and_one_that_is_not_ours_is_not_trusted()
    {
        var directory = new TaskStateDirectory(_folder, "context", 3);
        Assert.Null(directory.ReadCheckpoint());

        directory.WriteCheckpoint(new Dictionary<string, long> { ["contexts"] = 41, ["erasures"] = 7 });

        Assert.Equal(new Dictionary<string, long> { ["contexts"] = 41, ["erasures"] = 7 }, directory.ReadCheckpoint());
        File.WriteAllText(Path.Combine(directory.Path, ".checkpoint"), "0\n1\nc360-contexts-changelog 3 41\n");
        Assert.Null(directory.ReadCheckpoint());
    }

    [Fact]
    public void A_store_open_elsewhere_is_refused_naming_the_setting_that_separates_them()
    {
        using var first = Open(() => null);

        var error = Assert.Throws<StreamsFatalException>(() => Open(() => null));

        Assert.Contains("Streams:StateDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_reopened_at_every_restart_keeps_a_bounded_number_of_RocksDB_info_logs()
    {
        // RocksDB's defaults keep up to 1,000 info logs per database, one more at each open, each never rolled by size:
        // a processor restarted daily would gather years of them in every store's folder.
        for (var restart = 0; restart < 12; restart++)
        {
            using var store = Open(() => null);
        }

        var infoLogs = Directory.GetFiles(Path.Combine(_folder, "counts"), "LOG*");
        Assert.InRange(infoLogs.Length, 1, RocksDbKeyValueStore.InfoLogsKept);
    }

    private RocksDbKeyValueStore Open(Func<RecordOrigin?> origin) => new("counts", Path.Combine(_folder, "counts"), origin);
}
