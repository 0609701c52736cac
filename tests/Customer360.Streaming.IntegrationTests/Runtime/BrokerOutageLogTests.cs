using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// What a running worker logs while its broker does not answer. The consumer's error callback fires at every failed
/// reconnect: a <c>c360 run</c> whose broker went away wrote about twenty warnings a second, a minute into the outage.
/// </summary>
public sealed class BrokerOutageLogTests
{
    [Fact]
    public async Task A_broker_that_stops_answering_is_reported_a_few_times_and_counting_goes_on_once_it_answers_again()
    {
        var names = new UniqueNames(nameof(BrokerOutageLogTests));
        using var broker = new OwnCountingBroker(names, partitions: 1);
        var logger = new RecordingLogger<StreamWorker>();
        await using var worker = new InProcessWorker(broker.Options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, broker.Topology, logger: logger);
        broker.Produce(["a"]);
        Assert.True(await worker.WaitUntilAsync(() => broker.LatestCounts().GetValueOrDefault("a") == 1, TimeSpan.FromSeconds(60)), "the first record was never counted");

        broker.SetDown();
        await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
        var complaints = logger.Recorded.Entries.Where(e => e.Message.Contains("Kafka client error", StringComparison.Ordinal)).ToList();
        broker.Revive();

        TestContext.Current.SendDiagnosticMessage($"{complaints.Count} client error lines in 8 s of outage");
        Assert.InRange(complaints.Count, 1, 8);
        broker.Produce(["a"]);
        Assert.True(await worker.WaitUntilAsync(() => broker.LatestCounts().GetValueOrDefault("a") == 2, TimeSpan.FromSeconds(60)), "counting did not go on after the outage");
    }
}
