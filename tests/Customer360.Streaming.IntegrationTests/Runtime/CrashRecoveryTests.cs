using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// The at_least_once contract under real crashes: a counting processor in its own process, SIGKILLed at random points
/// while input flows, against a broker in another process. Afterwards every input must be counted exactly once and
/// output ids must be unique after deduplication.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const int Keys = 25;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AtLeastOnce_ProcessorKilledTenTimesWhileInputFlows_EveryInputCountedExactlyOnce(int threads)
    {
        using var cluster = await CountingCluster.StartAsync(new UniqueNames($"{nameof(AtLeastOnce_ProcessorKilledTenTimesWhileInputFlows_EveryInputCountedExactlyOnce)}-{threads}"));
        var random = new Random(20261123);
        var produced = new Dictionary<string, long>();
        using var stopProducing = new CancellationTokenSource();
        var producing = Task.Run(
            async () =>
        {
            using var producer = cluster.CreateProducer();
            var i = 0;
            while (!stopProducing.IsCancellationRequested)
            {
                var key = $"k{i % Keys}";
                producer.Produce(cluster.Input, new Message<string, string> { Key = key, Value = "1" });
                lock (produced)
                {
                    produced[key] = produced.GetValueOrDefault(key) + 1;
                }

                // About 200 inputs a second: enough to be mid-flight at every kill, and far below the embedded
                // broker's ~5 MiB per partition, beyond which it silently drops the oldest records.
                i++;
                await Task.Delay(5);
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        },
            TestContext.Current.CancellationToken);

        var kills = 0;
        for (; kills < 10; kills++)
        {
            var processor = await cluster.StartProcessorAsync(threads: threads);
            await Task.Delay(random.Next(100, 1_200), TestContext.Current.CancellationToken);
            processor.KillNow();
            await processor.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await stopProducing.CancelAsync();
        await producing;
        var final = await cluster.StartProcessorAsync(threads: threads);
        Assert.True(await cluster.WaitForCaughtUpAsync(TimeSpan.FromSeconds(120)), "the last processor never caught up: " + final.AllOutput);
        final.Terminate();
        Assert.True(await final.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, final.ExitCode);

        var counts = cluster.FinalCounts();
        Assert.Equal(produced.OrderBy(p => p.Key), counts.OrderBy(c => c.Key));
        var outputs = cluster.ReadAll(cluster.Output);
        var ids = outputs.Select(o => Encoding.UTF8.GetString(o.Message.Headers.GetLastBytes(RecordHeaders.OutputId))).ToList();
        var unique = outputs.DistinctBy(o => Encoding.UTF8.GetString(o.Message.Headers.GetLastBytes(RecordHeaders.OutputId))).ToList();
        Assert.Equal(produced.Values.Sum(), unique.Count);
        foreach (var (key, total) in produced)
        {
            var emitted = unique.Where(o => Encoding.UTF8.GetString(o.Message.Key!) == key)
                .Select(o => long.Parse(Encoding.UTF8.GetString(o.Message.Value!), System.Globalization.CultureInfo.InvariantCulture))
                .Order().ToList();
            Assert.Equal(Enumerable.Range(1, (int)total).Select(n => (long)n), emitted);
        }

        TestRunReport.Note($"crash test (at_least_once, {threads} stream thread(s) per process, {kills} SIGKILLs, {produced.Values.Sum()} inputs): {ids.Count - unique.Count} raw duplicate outputs, 0 after deduplication by id");
    }

    [Fact]
    public async Task SecondInstanceJoinsMidStreamAndFirstLeaves_StateMovesWithItsPartitions_FinalCountsMatchReference()
    {
        using var cluster = await CountingCluster.StartAsync(new UniqueNames(nameof(SecondInstanceJoinsMidStreamAndFirstLeaves_StateMovesWithItsPartitions_FinalCountsMatchReference)));
        var expected = new Dictionary<string, long>();
        using var producer = cluster.CreateProducer();
        void Produce(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var key = $"k{i % Keys}";
                producer.Produce(cluster.Input, new Message<string, string> { Key = key, Value = "1" });
                expected[key] = expected.GetValueOrDefault(key) + 1;
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var first = await cluster.StartProcessorAsync();
        Produce(0, 600);
        Assert.True(await cluster.WaitForCaughtUpAsync(TimeSpan.FromSeconds(60)));
        var second = await cluster.StartProcessorAsync();
        Produce(600, 1_200);
        first.Terminate();
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, first.ExitCode);
        Produce(1_200, 1_800);
        Assert.True(await cluster.WaitForCaughtUpAsync(TimeSpan.FromSeconds(120)), "never caught up: " + second.AllOutput);
        second.Terminate();
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(expected.OrderBy(e => e.Key), cluster.FinalCounts().OrderBy(c => c.Key));
        var outputs = cluster.ReadAll(cluster.Output);
        Assert.Equal(1_800, outputs.DistinctBy(o => Encoding.UTF8.GetString(o.Message.Headers.GetLastBytes(RecordHeaders.OutputId))).Count());
    }
}
