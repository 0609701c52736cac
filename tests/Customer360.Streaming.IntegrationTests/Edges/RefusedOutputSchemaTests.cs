using System.Text;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.IntegrationTests.Runtime;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Edges;

/// <summary>
/// The product topology on the embedded broker and registry, whose context subject already holds another
/// application's record: what an operator sees while the registry refuses our snapshot schema (409), and after they
/// mend the subject.
/// </summary>
public sealed class RefusedOutputSchemaTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    private const string ForeignSchema = """{"type":"record","name":"Foreign","namespace":"elsewhere","fields":[{"name":"id","type":"long"}]}""";

    [Fact]
    public async Task A_refused_snapshot_schema_keeps_the_processor_unready_naming_the_subject_and_it_resumes_once_the_subject_is_mended()
    {
        var names = new UniqueNames(nameof(RefusedOutputSchemaTests));
        using var edge = await EdgeTopology.CreateAsync(kafka, registry, names, names.Group("refused"));
        using var operatorClient = registry.CreateClient();
        var subject = edge.Topics.Context + "-value";
        await operatorClient.RegisterAsync(subject, ForeignSchema, cancellationToken: TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await edge.Input.ValidAsync(edge.Topics.Relationship, "c-1", new RelationshipProfile(
            Guid.NewGuid(), now, "relationship", "c-1", "GOLD", "families", 99m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE"));

        var streams = new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, TransientRetryBackoffMs = 50, TransientRetryBackoffMaxMs = 200 };
        await using var worker = new InProcessWorker(edge.Options, streams, edge.Topology);
        var status = worker.Worker.Status;
        Assert.True(
            await worker.WaitUntilAsync(() => status.PauseReasons.Any(r => r.Contains(subject, StringComparison.Ordinal)), TimeSpan.FromSeconds(60)),
            $"no partition was paused naming {subject}; phase {status.Phase}, failure {status.Failure}");
        // Looked at through a dozen retries (50–200 ms apart): between a retry's resume and its record's refusal the
        // partition counted as no longer paused, so readiness flapped to ready, and a single look (as a probe makes)
        // found it ready now and then (CI at 05757e9).
        for (var look = 0; look < 60; look++)
        {
            Assert.False(status.IsReady, $"ready while the registry refuses the snapshot schema (look {look})");
            await Task.Delay(40, TestContext.Current.CancellationToken);
        }

        await operatorClient.SetCompatibilityAsync(CompatibilityLevel.None, subject, TestContext.Current.CancellationToken);

        Assert.True(
            await worker.WaitUntilAsync(() => status.IsReady && SnapshotKeys(edge.Options, edge.Topics.Context).Contains("c-1"), TimeSpan.FromSeconds(60)),
            $"no snapshot of c-1 after the subject was mended; ready {status.IsReady}, phase {status.Phase}, failure {status.Failure}");
        Assert.NotEqual(WorkerPhase.Failed, status.Phase);
        Assert.Empty(KafkaTopicReader.ReadAll(edge.Options, edge.Topology.DeadLetterTopic));
    }

    private static HashSet<string> SnapshotKeys(KafkaOptions options, string contextTopic) =>
        [.. KafkaTopicReader.ReadAll(options, contextTopic).Where(r => r.Message.Key is not null).Select(r => Encoding.UTF8.GetString(r.Message.Key!))];
}
