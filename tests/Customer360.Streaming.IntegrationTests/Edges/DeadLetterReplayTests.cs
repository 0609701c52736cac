using System.Text;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.IntegrationTests.Runtime;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Edges;

/// <summary>
/// <c>c360 dead-letters summary</c> and <c>replay</c> as separate processes against the product topology on the
/// embedded broker: a profile a CRC32 client put on the wrong partition reaches its customer once replayed, and an event
/// that failed after routing goes back keyed by its customer, to the channel's customer-keyed topic.
/// </summary>
public sealed class DeadLetterReplayTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task A_mended_dead_letter_replayed_reaches_its_customer_and_one_still_wrong_comes_back_from_the_customer_keyed_topic()
    {
        var names = new UniqueNames(nameof(DeadLetterReplayTests));
        using var edge = await EdgeTopology.CreateAsync(kafka, registry, names, names.Group("replay"));
        var (topics, topology, options, input) = (edge.Topics, edge.Topology, edge.Options, edge.Input);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        await input.ValidAsync(topics.Identity, "device:d-1", new IdentityLink(Guid.NewGuid(), now, topics.Identity, IdentifierType.Device, "d-1", "c-1", IdentityAction.Link));
        await input.MisPartitionedAsync("mis-partitioned profile", topics.Relationship, "c-3", Profile("c-3", now));
        await input.MutatedAsync("latitude 999", topics.Location, "device:d-1", new LocationFix(Guid.NewGuid(), now + 1, "location", "d-1", 52.52, 13.405, 12), r => r.Add("latitude", 999.0));

        await using var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, topology);
        Assert.True(
            await worker.WaitUntilAsync(() => KafkaTopicReader.ReadAll(options, topology.DeadLetterTopic).Count == 2, TimeSpan.FromSeconds(120)),
            "the two hostile records were not dead-lettered");

        using var summary = await DeadLetters(edge.TopologyDirectory, "summary");
        Assert.True(summary.ExitCode == 0, summary.AllOutput);
        Says(summary, $"dead letters on {topology.DeadLetterTopic}: 2");
        Says(summary, $"MisPartitionedKey at validate: 1 ({topics.Relationship} 1)");
        Says(summary, $"InvalidValue at validate: 1 ({topics.Location} 1)");
        Says(summary, "replayable: 2 of 2");
        Assert.DoesNotContain("c-3", summary.AllOutput, StringComparison.Ordinal);

        // The producer's partitioner is mended by the replay itself: it hashes the key as the processor expects.
        Assert.False(HasProfile(options, topics.Context, "c-3"), "the mis-partitioned profile reached its customer before any replay");
        using var replay = await DeadLetters(edge.TopologyDirectory, "replay", "--class", "MisPartitionedKey");
        Assert.True(replay.ExitCode == 0, replay.AllOutput);
        Says(replay, $"replayed 1 dead letter: {topics.Relationship} 1");
        Says(replay, "left alone: 1");
        Assert.True(
            await worker.WaitUntilAsync(() => HasProfile(options, topics.Context, "c-3"), TimeSpan.FromSeconds(60)),
            "the replayed profile did not reach customer c-3's context");

        // Still invalid: replayed keyed by its customer to the location channel's twin, and dead-lettered from there.
        using var dryRun = await DeadLetters(edge.TopologyDirectory, "replay", "--class", "InvalidValue", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.AllOutput);
        Says(dryRun, $"would replay 1 dead letter: {topics.KeyedByCustomer[topics.Location]} 1");
        Says(dryRun, "dry run: nothing sent");
        using var invalid = await DeadLetters(edge.TopologyDirectory, "replay", "--class", "InvalidValue");
        Assert.True(invalid.ExitCode == 0, invalid.AllOutput);
        Assert.True(
            await worker.WaitUntilAsync(() => KafkaTopicReader.ReadAll(options, topology.DeadLetterTopic).Count == 3, TimeSpan.FromSeconds(60)),
            "the still-invalid replayed fix was not dead-lettered again");
        var again = KafkaTopicReader.ReadAll(options, topology.DeadLetterTopic)[^1];
        var envelope = DeadLetterEnvelope.Read(again.Message.Headers)!;
        Assert.Equal((topics.KeyedByCustomer[topics.Location], "InvalidValue", null), (envelope.Origin.Topic, envelope.ErrorClass, envelope.ViaTopic));
        Assert.Equal("c-1", Encoding.UTF8.GetString(again.Message.Key!));
        Assert.Equal("latitude 999", RecordHeaders.Find(envelope.OriginalHeaders, "test-case"));
    }

    [Fact]
    public async Task A_summary_of_a_dead_letter_topic_that_does_not_exist_says_so_and_does_not_create_it()
    {
        // Asked for one topic's metadata, the admin client (a producer-type handle) let the broker create it.
        var names = new UniqueNames(nameof(A_summary_of_a_dead_letter_topic_that_does_not_exist_says_so_and_does_not_create_it));
        var directory = C360Program.WritePrefixedTopology(names, names.Group("missing"));
        var deadLetters = names.Topic("c360.dlq.v1");

        using var summary = await DeadLetters(directory, "summary");

        Assert.True(summary.ExitCode == 1, summary.AllOutput);
        Says(summary, $"the dead-letter topic {deadLetters} does not exist");
        using var admin = new Confluent.Kafka.AdminClientBuilder(KafkaClientConfigs.Admin(kafka.Options(), "dlq-check")).SetLogHandler(KafkaClientLog.Discard).Build();
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == deadLetters);
    }

    private static void Says(ChildProcess command, string expected) =>
        Assert.True(command.AllOutput.Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in:{Environment.NewLine}{command.AllOutput}");

    private Task<ChildProcess> DeadLetters(string topologyDirectory, params string[] arguments) =>
        ChildProcess.RunAsync(
            "dotnet",
            [RepositoryLayout.C360Dll, "dead-letters", .. arguments, "--bootstrap-servers", kafka.BootstrapServers, "--topology-dir", topologyDirectory],
            TimeSpan.FromMinutes(2));

    /// <summary>Whether the newest snapshot of the customer on the context topic shows the profile's marker segment.</summary>
    private static bool HasProfile(KafkaOptions options, string contextTopic, string customer)
    {
        var latest = KafkaTopicReader.ReadAll(options, contextTopic).LastOrDefault(r => r.Message.Key is { } key && Encoding.UTF8.GetString(key) == customer);
        return latest?.Message.Value is { } value && value.AsSpan().IndexOf("replayed-segment"u8) >= 0;
    }

    private static RelationshipProfile Profile(string customer, long t) =>
        new(Guid.NewGuid(), t, "relationship", customer, "GOLD", "replayed-segment", 1234.50m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE");
}
