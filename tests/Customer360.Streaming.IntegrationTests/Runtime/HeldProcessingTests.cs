using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// A commit observer (the Redis sink in the product) that becomes unavailable holds processing, and its recovery
/// re-asserts the stores' state: that state must be committed, or the outside store shows changes a crash would undo.
/// </summary>
public sealed class HeldProcessingTests(KafkaFixture kafka)
{
    private const int Records = 50;

    [Fact]
    public async Task A_recovery_due_before_the_commit_interval_re_asserts_only_committed_state()
    {
        var names = new UniqueNames(nameof(A_recovery_due_before_the_commit_interval_re_asserts_only_committed_state));
        var options = kafka.Options(names.Group("app"));
        // A commit interval far longer than the retry backoff: the recovery is due long before the next commit.
        options.CommitIntervalMs = 60_000;
        var observer = new RecordingObserver();
        var topology = new StreamTopologyBuilder(options.ApplicationId)
            .AddStore(CountingProcessor.Store)
            .DeadLetterTo(names.Topic("dlq"))
            .AddSubTopology("count", [names.Topic("in")], () => new UnavailableAfter(Records, observer, new CountingProcessor(names.Topic("out"))), [CountingProcessor.Store], [names.Topic("out")])
            .Build();
        foreach (var topic in new[] { names.Topic("in"), names.Topic("out"), topology.ChangelogTopic(CountingProcessor.Store), names.Topic("dlq") })
        {
            await kafka.CreateTopicAsync(topic, 1);
        }

        using (var producer = new ProducerBuilder<string, string>(KafkaClientConfigs.Producer(options, "held-in")).Build())
        {
            for (var i = 0; i < Records; i++)
            {
                producer.Produce(names.Topic("in"), new Message<string, string> { Key = "k", Value = "1" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, TransientRetryBackoffMs = 1 };
        await using (var worker = new InProcessWorker(options, streams, topology, observers: [observer]))
        {
            Assert.True(await worker.WaitUntilAsync(() => observer.Recoveries.Count > 0, TimeSpan.FromSeconds(30)), worker.Worker.Status.Failure ?? "no recovery was tried");
        }

        var recovered = observer.Recoveries[0];
        Assert.Equal(Records, recovered.GetValueOrDefault("k"));
        Assert.Equal(recovered, observer.CommittedBeforeFirstRecovery);
    }

    /// <summary>Counts as its inner processor does, and makes the observer unavailable once it has processed <paramref name="records"/> records.</summary>
    private sealed class UnavailableAfter(int records, RecordingObserver observer, IProcessor inner) : IProcessor
    {
        private int _processed;

        public void Init(IProcessorContext context) => inner.Init(context);

        public void Process(StreamRecord record)
        {
            inner.Process(record);
            if (++_processed == records)
            {
                observer.Unavailable = "the outside store stopped answering";
            }
        }
    }

    /// <summary>Remembers the counts each commit reported and the counts each recovery saw; a recovery makes it available again.</summary>
    private sealed class RecordingObserver : ICommitObserver
    {
        private readonly Dictionary<string, long> _committed = new(StringComparer.Ordinal);

        public List<Dictionary<string, long>> Recoveries { get; } = [];

        public Dictionary<string, long> CommittedBeforeFirstRecovery { get; private set; } = [];

        public string? Unavailable { get; set; }

        public void Committed(IReadOnlyList<StoreChange> changes, IOwnedStores owned)
        {
            foreach (var change in changes.Where(c => c.Store == CountingProcessor.Store))
            {
                _committed[change.Key] = Count(owned.Entries(CountingProcessor.Store).FirstOrDefault(e => e.Key == change.Key).Value);
            }
        }

        public void Recover(IOwnedStores owned)
        {
            if (Recoveries.Count == 0)
            {
                CommittedBeforeFirstRecovery = new Dictionary<string, long>(_committed, StringComparer.Ordinal);
            }

            Recoveries.Add(owned.Entries(CountingProcessor.Store).ToDictionary(e => e.Key, e => Count(e.Value), StringComparer.Ordinal));
            Unavailable = null;
        }

        private static long Count(byte[]? value) => value is null ? 0 : long.Parse(Encoding.UTF8.GetString(value), CultureInfo.InvariantCulture);
    }
}
