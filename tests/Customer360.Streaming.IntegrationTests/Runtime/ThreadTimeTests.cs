using System.Diagnostics;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// <c>c360.stream_thread.time</c>: where a stream thread's wall-clock time goes, by what its loop was doing (poll,
/// restore, process, punctuate, commit, or held for an unavailable outside store), so an engineer can tell a busy
/// thread from one that waits, and for what.
/// </summary>
public sealed class ThreadTimeTests(KafkaFixture kafka)
{
    [Fact]
    public async Task A_stream_thread_reports_its_time_by_loop_phase_and_never_more_than_it_ran()
    {
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(A_stream_thread_reports_its_time_by_loop_phase_and_never_more_than_it_ran)), inputPartitions: 1);
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(topics.Options, "thread-time")).Build())
        {
            foreach (var key in new[] { "a", "b", "c" })
            {
                await producer.ProduceAsync(topics.Input, new Message<string, string> { Key = key, Value = key }, TestContext.Current.CancellationToken);
            }
        }

        using var metrics = new StreamsMetrics();
        using var threadTime = new MeasurementRecorder(metrics.Meter, "c360.stream_thread.time");
        var lifetime = Stopwatch.StartNew();
        await using (var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), metrics))
        {
            Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 3, TimeSpan.FromSeconds(60)), "the three records were not committed");
        }

        lifetime.Stop();
        var measurements = threadTime.Measurements;
        var secondsByPhase = measurements.GroupBy(m => m.Tags["phase"] as string ?? "(none)")
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);

        // The thread polled, processed the three records and committed them, and said which thread it was.
        Assert.All(new[] { "poll", "process", "commit" }, phase => Assert.True(secondsByPhase.GetValueOrDefault(phase) > 0, $"no time in {phase}: {string.Join(", ", secondsByPhase)}"));
        Assert.Subset(new HashSet<string>(["poll", "restore", "process", "punctuate", "commit"], StringComparer.Ordinal), secondsByPhase.Keys.ToHashSet(StringComparer.Ordinal));
        Assert.All(measurements, m => Assert.Equal("StreamThread-1", m.Tags["thread"]));
        Assert.All(measurements, m => Assert.True(m.Value >= 0));
        // In seconds, and each moment counted once: the phases add up to no more than the worker's whole life.
        Assert.True(secondsByPhase.Values.Sum() <= lifetime.Elapsed.TotalSeconds, $"{secondsByPhase.Values.Sum()} s by phase in {lifetime.Elapsed.TotalSeconds} s");
    }

    [Fact]
    public async Task A_thread_holding_its_processing_for_an_unavailable_observer_reports_that_time_as_held_and_goes_on_once_it_recovers()
    {
        // An engineer looking at a slow processor should see that it waits for Redis, not read the wait as polling.
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(A_thread_holding_its_processing_for_an_unavailable_observer_reports_that_time_as_held_and_goes_on_once_it_recovers)), inputPartitions: 1);
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(topics.Options, "thread-time-held")).Build())
        {
            await producer.ProduceAsync(topics.Input, new Message<string, string> { Key = "a", Value = "a" }, TestContext.Current.CancellationToken);
        }

        using var metrics = new StreamsMetrics();
        using var threadTime = new MeasurementRecorder(metrics.Meter, "c360.stream_thread.time");
        var observer = new UnavailableUntilReleased();
        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, TransientRetryBackoffMs = 10, TransientRetryBackoffMaxMs = 100 };
        await using var worker = new InProcessWorker(topics.Options, streams, topics.Topology(), metrics, observers: [observer]);
        double Seconds(string phase) => threadTime.Measurements.Where(m => Equals(m.Tags["phase"], phase)).Sum(m => m.Value);

        Assert.True(await worker.WaitUntilAsync(() => Seconds("held") > 0 && observer.Recoveries >= 2, TimeSpan.FromSeconds(60)), $"no held time: {worker.Worker.Status.HeldBy}");
        Assert.Equal(0, worker.Worker.Status.CommittedOffsets.Values.Sum());

        observer.Release();
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 1, TimeSpan.FromSeconds(60)), "the record was not processed after the recovery");
        Assert.Null(worker.Worker.Status.HeldBy);
    }

    [Fact]
    public async Task The_operating_system_shows_the_stream_thread_by_the_name_its_metrics_use()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread names are read from /proc");
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(The_operating_system_shows_the_stream_thread_by_the_name_its_metrics_use)), inputPartitions: 1);
        await using var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology());

        // What top -H, ps -L and perf show for each thread of this process (one that ends while it is read is left out).
        static List<string> ThreadNames()
        {
            var names = new List<string>();
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
                }
                catch (IOException)
                {
                    // The thread ended.
                }
            }

            return names;
        }

        Assert.True(await worker.WaitUntilAsync(() => ThreadNames().Contains("StreamThread-1"), TimeSpan.FromSeconds(30)), "threads: " + string.Join(", ", ThreadNames().Distinct()));
    }

    /// <summary>Unavailable from the start; each recovery fails until the test releases it.</summary>
    private sealed class UnavailableUntilReleased : ICommitObserver
    {
        private volatile bool _released;
        private int _recoveries;

        public int Recoveries => Volatile.Read(ref _recoveries);

        public string? Unavailable => _released ? null : "the outside store does not answer";

        public void Release() => _released = true;

        public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
        {
        }

        public void Recover(IOwnedStores owned) => Interlocked.Increment(ref _recoveries);
    }
}
