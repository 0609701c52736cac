using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// How users outgrow one machine: several processes in one group, each its own OS process, against a broker in
/// another. Members join, die and leave while input flows; the group moves tasks and their state, and the final state
/// equals what a single process would have computed (every input counted once).
/// </summary>
public sealed class ScaleOutTests
{
    private const int Keys = 40;

    [Fact]
    public async Task Three_processes_share_the_group_one_is_killed_and_restarted_a_fourth_joins_two_leave_and_every_input_is_counted_once()
    {
        using var cluster = await CountingCluster.StartAsync(new UniqueNames(nameof(ScaleOutTests)), partitions: 6);
        var produced = new Dictionary<string, long>(StringComparer.Ordinal);
        using var stopProducing = new CancellationTokenSource();
        var producing = Task.Run(() => ProduceAsync(cluster, produced, stopProducing.Token), TestContext.Current.CancellationToken);
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(() => LongestStallAsync(cluster, stopWatching.Token), TestContext.Current.CancellationToken);

        var processes = new List<ChildProcess>();
        for (var i = 0; i < 3; i++)
        {
            processes.Add(await cluster.StartProcessorAsync());
        }

        await Task.Delay(1_500, TestContext.Current.CancellationToken);
        processes[1].KillNow();
        await processes[1].WaitForExitAsync(TimeSpan.FromSeconds(10));
        processes.Add(await cluster.StartProcessorAsync());
        await Task.Delay(1_500, TestContext.Current.CancellationToken);
        processes.Add(await cluster.StartProcessorAsync());
        await Task.Delay(1_500, TestContext.Current.CancellationToken);
        // How members leave is reported, not asserted: this test is about state. A clean SIGTERM stop is asserted by
        // CrashRecoveryTests and ProcessorProcessTests. Under churn on the embedded broker a leaving member has been
        // seen to hang in its consumer close (the broker holds its LeaveGroup behind a pending join), and once, in a
        // loaded CI run, to exit with 134 (SIGABRT); both are open in issue 14. State must be exact either way.
        var leavings = new List<string>();
        foreach (var leaving in new[] { processes[0], processes[2] })
        {
            leaving.Terminate();
            if (!await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                leaving.KillNow();
                Assert.True(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(10)));
                leavings.Add("still closing after 30 s, killed");
            }
            else
            {
                leavings.Add(leaving.ExitCode == 0 ? "clean" : $"exit {leaving.ExitCode}: {(leaving.StandardError.Count > 0 ? leaving.StandardError[^1] : "no error output")}");
            }
        }

        await stopProducing.CancelAsync();
        await producing;
        Assert.True(await cluster.WaitForCaughtUpAsync(TimeSpan.FromSeconds(120)), "the remaining processes never caught up");
        await stopWatching.CancelAsync();
        var longestStall = await watching;

        Assert.Equal(produced.OrderBy(p => p.Key), cluster.FinalCounts().OrderBy(c => c.Key));
        var outputs = cluster.ReadAll(cluster.Output);
        Assert.Equal(produced.Values.Sum(), outputs.DistinctBy(o => Encoding.UTF8.GetString(o.Message.Headers.GetLastBytes(RecordHeaders.OutputId))).Count());
        var rebalances = processes.Sum(p => p.StandardOutput.Count(l => l.StartsWith("rebalance ", StringComparison.Ordinal)));
        TestRunReport.Note(
            $"scale-out (5 processes over time, 6 partitions, {produced.Values.Sum()} inputs): counts exact; {rebalances} assignment/revocation/loss events; " +
            $"longest time a partition with lag made no progress: {longestStall.TotalSeconds:0.0} s; the two SIGTERMed processes left: {string.Join("; ", leavings)}");
    }

    private static async Task ProduceAsync(CountingCluster cluster, Dictionary<string, long> produced, CancellationToken stop)
    {
        using var producer = cluster.CreateProducer();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"k{i % Keys}";
            producer.Produce(cluster.Input, new Message<string, string> { Key = key, Value = "1" });
            produced[key] = produced.GetValueOrDefault(key) + 1;
            await Task.Delay(5, CancellationToken.None);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>The longest a partition had uncommitted input without its committed offset moving: how long it went unowned or stuck.</summary>
    private static async Task<TimeSpan> LongestStallAsync(CountingCluster cluster, CancellationToken stop)
    {
        var since = new Dictionary<int, (long Committed, Stopwatch Waiting)>();
        var longest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            foreach (var partition in ConsumerGroupLag.Read(cluster.Options, cluster.ApplicationId, [cluster.Input], TimeSpan.FromSeconds(5)))
            {
                var id = partition.Partition.Partition.Value;
                var committed = partition.Committed ?? -1;
                if (!since.TryGetValue(id, out var state) || state.Committed != committed || partition.Lag == 0)
                {
                    since[id] = (committed, Stopwatch.StartNew());
                }
                else if (state.Waiting.Elapsed > longest)
                {
                    longest = state.Waiting.Elapsed;
                }
            }

            await Task.Delay(200, CancellationToken.None);
        }

        return longest;
    }
}
