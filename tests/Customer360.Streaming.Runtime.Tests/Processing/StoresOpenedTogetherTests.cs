using System.Text;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// An assignment opens its tasks' RocksDB stores together before the tasks are made: each task then works on the
/// database opened for it, and a store that cannot be opened fails the assignment without leaving the others locked.
/// </summary>
public sealed class StoresOpenedTogetherTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"c360-together-{Guid.NewGuid():N}");
    private readonly SubTopology _count = CountingProcessor.Topology("app", "in", "out").SubTopologies.Single();

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public void Each_task_writes_to_the_database_opened_for_it_and_finds_it_there_after_a_reopen()
    {
        var tasks = Enumerable.Range(0, 3).Select(Local).ToList();
        TaskLocalState.OpenTogether([.. tasks.Select(local => (local, CountingProcessor.Store))]);

        for (var partition = 0; partition < tasks.Count; partition++)
        {
            // Opening the folder again while the database opened together holds it would fail on RocksDB's lock.
            using var store = tasks[partition].OpenStore(CountingProcessor.Store, () => new RecordOrigin("in", partition, 7), () => 0);
            store.Put("key", Encoding.UTF8.GetBytes($"partition {partition}"));
            store.TakeChanges();
            store.ChangesDurable();
        }

        for (var partition = 0; partition < tasks.Count; partition++)
        {
            using var reopened = new RocksDbKeyValueStore(CountingProcessor.Store, StorePath(partition), () => null);
            Assert.Equal($"partition {partition}", Encoding.UTF8.GetString(reopened.Get("key")!));
        }
    }

    [Fact]
    public void A_store_another_holder_keeps_fails_the_assignment_and_the_stores_opened_beside_it_are_released()
    {
        var tasks = Enumerable.Range(0, 4).Select(Local).ToList();
        using (var held = new RocksDbKeyValueStore(CountingProcessor.Store, StorePath(2), () => null))
        {
            var error = Assert.Throws<StreamsFatalException>(() => TaskLocalState.OpenTogether([.. tasks.Select(local => (local, CountingProcessor.Store))]));
            Assert.Contains("Streams:StateDirectory", error.Message, StringComparison.Ordinal);
        }

        foreach (var partition in new[] { 0, 1, 3 })
        {
            using var reopened = new RocksDbKeyValueStore(CountingProcessor.Store, StorePath(partition), () => null);
            Assert.Null(reopened.Get("key"));
        }
    }

    private TaskLocalState Local(int partition) => TaskLocalState.Open(_stateDirectory, _count, partition, TimeProvider.System);

    private string StorePath(int partition) => new TaskStateDirectory(_stateDirectory, _count.Name, partition).StorePath(CountingProcessor.Store);
}
