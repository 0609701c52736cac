using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// <c>c360.record.age</c>: how old each record is when its stage takes it, from the record's own timestamp, tagged
/// with the stage. Across stages it shows which hop a record's wait comes from.
/// </summary>
public sealed class RecordAgeTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Backdated = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_stage_reports_a_records_age_from_its_timestamp_tagged_with_the_stage()
    {
        var topics = await CountingTopics.CreateAsync(kafka, new UniqueNames(nameof(A_stage_reports_a_records_age_from_its_timestamp_tagged_with_the_stage)), inputPartitions: 1);
        var options = topics.Options;
        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "backdated")).Build())
        {
            // Records whose events happened five minutes ago: their age when taken is at least that.
            var eventTime = new Timestamp(DateTimeOffset.UtcNow - Backdated);
            foreach (var key in new[] { "a", "b", "c" })
            {
                await producer.ProduceAsync(topics.Input, new Message<string, string> { Key = key, Value = key, Timestamp = eventTime }, TestContext.Current.CancellationToken);
            }
        }

        using var metrics = new StreamsMetrics();
        using var recorded = new MeasurementRecorder(metrics.Meter, "c360.record.age");
        await using (var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topics.Topology(), metrics))
        {
            Assert.True(await worker.WaitUntilAsync(() => worker.Worker.Status.CommittedOffsets.Values.Sum() >= 3, TimeSpan.FromSeconds(60)), "the three records were not committed");
        }

        var ages = recorded.Measurements.Select(m => (Ms: m.Value, Stage: m.Tags["stage"] as string)).ToList();
        Assert.Equal(3, ages.Count);
        Assert.All(ages, age =>
        {
            Assert.Equal("count", age.Stage);
            // Measured from the record's timestamp, in milliseconds: at least the five minutes it was backdated, and
            // not a unit off (seconds would be 300, microseconds 300,000,000).
            Assert.InRange(age.Ms, Backdated.TotalMilliseconds, TimeSpan.FromHours(1).TotalMilliseconds);
        });
    }
}
