using System.Text;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Testing;

/// <summary>
/// The in-memory runner with what tests need beyond it, as Kafka Streams' TopologyTestDriver: a task can be "crashed"
/// and restored from the changelogs it wrote, and an input partition replayed from an older offset.
/// </summary>
public sealed class TopologyTestDriver(StreamTopology topology, int partitions = 1, StreamsOptions? options = null, long startWallClockMs = 0)
    : InMemoryTopologyRunner(topology, partitions, options, startWallClockMs)
{
    /// <summary>
    /// Throws away every task's in-memory state (a crash) and rebuilds it from the changelogs written by
    /// <see cref="InMemoryTopologyRunner.Commit"/>; changes since the last commit are lost, as on a real crash.
    /// </summary>
    public void CrashAndRestore()
    {
        ForgetTasks();
        foreach (var sub in Topology.SubTopologies)
        {
            for (var partition = 0; partition < Partitions; partition++)
            {
                var task = TaskFor(sub, partition);
                foreach (var store in sub.Stores)
                {
                    // Coalesced by key in order: the last record per key wins, as restore from a changelog does.
                    foreach (var record in ReadOutput(Topology.ChangelogTopic(store)).Where(r => r.Partition == partition))
                    {
                        task.Restore(store, Encoding.UTF8.GetString(record.Key!), record.Value, record.Value is null);
                    }
                }

                task.RestoreCompleted();
            }
        }
    }

    /// <summary>
    /// Delivers the records of one input partition again from <paramref name="fromOffset"/>, with their original
    /// offsets, as a consumer restarting from an older committed offset would.
    /// </summary>
    public IReadOnlyList<TaskOutcome> ReplayFrom(string topic, int partition, long fromOffset) =>
        InputLog.TryGetValue((topic, partition), out var log)
            ? log.Where(r => r.Offset >= fromOffset).ToList().Select(Process).ToList()
            : [];
}
