using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// Lag as the status (and so the lag gauges, the overview and the demo) shows it while a stream thread cannot process:
/// in records, and in seconds as how long the oldest unprocessed record has waited on the broker.
/// </summary>
public sealed class LagSecondsTests(KafkaFixture kafka)
{
    private const int Waiting = 20;

    [Fact]
    public async Task Records_carrying_months_old_event_times_count_their_lag_from_when_they_reached_the_broker()
    {
        var outage = new OutsideStore();
        var (topics, worker) = await StartAsync(nameof(Records_carrying_months_old_event_times_count_their_lag_from_when_they_reached_the_broker), outage);
        await using var stopped = worker;
        // Profiles loaded from a CRM: each carries the time it was last changed, 120 days ago.
        var changed = new Timestamp(DateTimeOffset.UtcNow - TimeSpan.FromDays(120));
        await ProduceAsync(topics, 5, changed);
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 5, TimeSpan.FromSeconds(60)), "the first five records were not committed");

        outage.Unavailable = "the outside store stopped answering";
        await ProduceAsync(topics, Waiting, changed);
        var partition = await LaggingAsync(worker);

        // Before: 10,368,000 s, the age of the time the last processed record carried.
        var lagSeconds = partition.LagSecondsAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.InRange(lagSeconds, 0, TimeSpan.FromMinutes(10).TotalSeconds);
    }

    [Fact]
    public async Task A_partition_held_before_its_first_record_shows_its_lag()
    {
        var (topics, worker) = await StartAsync(nameof(A_partition_held_before_its_first_record_shows_its_lag), new OutsideStore { Unavailable = "the outside store is down at start" });
        await using var stopped = worker;
        await ProduceAsync(topics, Waiting);

        // Before: no lag at all (not even a series on /metrics), as nothing processed had sighted the high watermark.
        var partition = await LaggingAsync(worker);
        Assert.Null(partition.Consumed);
        Assert.InRange(partition.LagSecondsAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), 0, TimeSpan.FromMinutes(10).TotalSeconds);
    }

    [Fact]
    public async Task An_outage_longer_than_the_buffers_goes_on_counting_what_arrives()
    {
        var (topics, worker) = await StartAsync(nameof(An_outage_longer_than_the_buffers_goes_on_counting_what_arrives), new OutsideStore { Unavailable = "the outside store is down" });
        await using var stopped = worker;
        // More than a partition's buffer (5,000): the full buffer pauses the partition, and a paused partition is not
        // fetched, so its high watermark stops coming with fetches. What arrives after that must still count.
        PartitionProgress? Input() => worker.Worker.Status.Partitions.SingleOrDefault();
        await ProduceAsync(topics, 8_000);
        Assert.True(await worker.WaitUntilAsync(() => Input()?.Lag == 8_000, TimeSpan.FromSeconds(60)), "the first 8,000 records were not counted");
        await ProduceAsync(topics, 4_000);

        // Before: the lag stayed at 8,000.
        var counted = await worker.WaitUntilAsync(() => Input()?.Lag == 12_000, TimeSpan.FromSeconds(60));
        Assert.True(counted, $"the status shows a lag of {Input()?.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} while 12,000 records wait");
    }

    /// <summary>The counting topology on a one-partition input of its own, its worker assigned the partition.</summary>
    private async Task<(CountingTopics Topics, InProcessWorker Worker)> StartAsync(string test, OutsideStore outage)
    {
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(test), inputPartitions: 1);
        var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), observers: [outage]);
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.AssignedPartitions.Count == 1, TimeSpan.FromSeconds(60)), "the partition was not assigned");
        return (topics, worker);
    }

    /// <summary>Produces <paramref name="records"/> records over three keys, stamped with <paramref name="timestamp"/> or the time of producing.</summary>
    private static async Task ProduceAsync(CountingTopics topics, int records, Timestamp? timestamp = null)
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(topics.Options, "lag-seconds-in")).Build();
        for (var i = 0; i < records; i++)
        {
            producer.Produce(topics.Input, new Message<string, string> { Key = $"k{i % 3}", Value = "1", Timestamp = timestamp ?? Timestamp.Default });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);
    }

    /// <summary>The one input partition once the status shows the <see cref="Waiting"/> records the outage holds back.</summary>
    private static async Task<PartitionProgress> LaggingAsync(InProcessWorker worker)
    {
        PartitionProgress? Input() => worker.Worker.Status.Partitions.SingleOrDefault(p => !p.Partition.Topic.Contains("changelog", StringComparison.Ordinal));
        var lagging = await worker.WaitUntilAsync(() => Input()?.Lag == Waiting, TimeSpan.FromSeconds(60));
        Assert.True(lagging, $"the status shows a lag of {Input()?.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}, not the {Waiting} records waiting");
        return Input()!;
    }

    /// <summary>An outside store (Redis in the product) whose outage holds processing until the test ends.</summary>
    private sealed class OutsideStore : ICommitObserver
    {
        public string? Unavailable { get; set; }

        public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
        {
        }
    }
}
