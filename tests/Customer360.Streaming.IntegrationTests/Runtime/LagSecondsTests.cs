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
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(Records_carrying_months_old_event_times_count_their_lag_from_when_they_reached_the_broker)), inputPartitions: 1);
        var outage = new OutsideStore();
        await using var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), observers: [outage]);
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
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(A_partition_held_before_its_first_record_shows_its_lag)), inputPartitions: 1);
        var outage = new OutsideStore { Unavailable = "the outside store is down at start" };
        await using var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), observers: [outage]);
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.AssignedPartitions.Count == 1, TimeSpan.FromSeconds(60)), "the partition was not assigned");

        await ProduceAsync(topics, Waiting, new Timestamp(DateTimeOffset.UtcNow));

        // Before: no lag at all (not even a series on /metrics), as nothing processed had sighted the high watermark.
        var partition = await LaggingAsync(worker);
        Assert.Null(partition.Consumed);
        Assert.InRange(partition.LagSecondsAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), 0, TimeSpan.FromMinutes(10).TotalSeconds);
    }

    [Fact]
    public async Task An_outage_longer_than_the_buffers_goes_on_counting_what_arrives()
    {
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(An_outage_longer_than_the_buffers_goes_on_counting_what_arrives)), inputPartitions: 1);
        var outage = new OutsideStore { Unavailable = "the outside store is down" };
        await using var worker = new InProcessWorker(topics.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), observers: [outage]);
        Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.AssignedPartitions.Count == 1, TimeSpan.FromSeconds(60)), "the partition was not assigned");

        // More than a partition's buffer (5,000): the full buffer pauses the partition, and a paused partition is not
        // fetched, so its high watermark stops coming with fetches. What arrives after that must still count.
        PartitionProgress? Input() => worker.Worker.Status.Partitions.SingleOrDefault();
        await FloodAsync(topics, 8_000);
        Assert.True(await worker.WaitUntilAsync(() => Input()?.Lag == 8_000, TimeSpan.FromSeconds(60)), "the first 8,000 records were not counted");
        await FloodAsync(topics, 4_000);

        // Before: the lag stayed at 8,000.
        var counted = await worker.WaitUntilAsync(() => Input()?.Lag == 12_000, TimeSpan.FromSeconds(60));
        Assert.True(counted, $"the status shows a lag of {Input()?.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} while 12,000 records wait");
    }

    private static async Task FloodAsync(CountingTopics topics, int records)
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(topics.Options, "lag-seconds-flood")).Build();
        for (var i = 0; i < records; i++)
        {
            producer.Produce(topics.Input, new Message<string, string> { Key = $"k{i % 3}", Value = "1" });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)), TestContext.Current.CancellationToken);
    }

    private static async Task ProduceAsync(CountingTopics topics, int records, Timestamp timestamp)
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(topics.Options, "lag-seconds-in")).Build();
        for (var i = 0; i < records; i++)
        {
            await producer.ProduceAsync(topics.Input, new Message<string, string> { Key = $"k{i % 3}", Value = "1", Timestamp = timestamp }, TestContext.Current.CancellationToken);
        }
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
