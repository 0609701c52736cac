using System.Diagnostics;
using System.Numerics;
using System.Text;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.IntegrationTests.Runtime;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Edges;

/// <summary>
/// The product topology on the embedded broker fed, between valid records, every hostile record the edges issue found
/// and a seeded sample of the generated hostile corpus (hostile field values, truncations, bit flips, length lies) over
/// all seven input contracts. The
/// processor must stay alive and ready, dead-letter each hostile record with its reason, and apply every valid record.
/// </summary>
public sealed class HostileInputTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    private const int Customers = 10;

    /// <summary>300 in the suite; <c>scripts/hostile-corpus.sh</c> sends a larger corpus through this variable.</summary>
    private static readonly int CorpusSize =
        int.TryParse(Environment.GetEnvironmentVariable("C360_HOSTILE_CORPUS_SIZE"), System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : 300;

    private const string CaseHeader = "test-case";

    [Fact]
    public async Task HostileRecords_AreDeadLetteredWithTheirReasons_ValidRecordsAroundThemAreApplied_AndTheProcessorStaysReady()
    {
        var names = new UniqueNames(nameof(HostileInputTests));
        using var edge = await EdgeTopology.CreateAsync(kafka, registry, names, names.Group("edges"));
        var (topics, topology, options, input) = (edge.Topics, edge.Topology, edge.Options, edge.Input);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        // Valid setup: every customer has a profile and a linked web identifier.
        for (var i = 0; i < Customers; i++)
        {
            await input.ValidAsync(topics.Relationship, $"c-{i}", Profile($"c-{i}", now));
            await input.ValidAsync(topics.Identity, $"web:a-{i}", new IdentityLink(Guid.NewGuid(), now, topics.Identity, IdentifierType.Web, $"a-{i}", $"c-{i}", IdentityAction.Link));
        }

        var expected = new Dictionary<string, string>
        {
            ["2 MiB value"] = "TooLarge",
            ["1,000,111-byte corrupt value"] = "DecodeFailure",
            ["decimal beyond .NET"] = "InvalidValue",
            ["NaN churn risk"] = "InvalidValue",
            ["infinite longitude"] = "InvalidValue",
            ["latitude 999"] = "InvalidValue",
            ["mis-partitioned profile"] = "MisPartitionedKey",
            ["event dated year 3000"] = "InvalidValue",
            ["link with an empty customer id"] = "InvalidValue",
            ["tombstone on responses"] = "InvalidValue",
            ["key with a brace"] = "InvalidValue",
            ["key with ESC"] = "InvalidValue",
            ["unknown schema id"] = "UnknownSchemaId",
            ["990,000-character url"] = "InvalidValue",
            ["20,000 preferred categories"] = "InvalidValue",
        };
        var huge = new byte[2 * 1024 * 1024];
        await input.RawAsync("2 MiB value", topics.Clickstream, "web:a-0", huge);
        var corrupt = new byte[1_000_111];
        new Random(5).NextBytes(corrupt);
        (await input.EncodeAsync(topics.Clickstream, Click("a-0", now))).AsSpan(0, 5).CopyTo(corrupt);
        await input.RawAsync("1,000,111-byte corrupt value", topics.Clickstream, "web:a-0", corrupt);
        await input.MutatedAsync("decimal beyond .NET", topics.Clickstream, "web:a-1", Click("a-1", now), r => r.Add("cartValue", new AvroDecimal(BigInteger.Pow(10, 32), 2)));
        await input.MutatedAsync("NaN churn risk", topics.Relationship, "c-nan", Profile("c-nan", now), r => r.Add("churnRisk", double.NaN));
        await input.MutatedAsync("infinite longitude", topics.Location, "device:d-1", Fix("d-1", now), r => r.Add("longitude", double.PositiveInfinity));
        await input.MutatedAsync("latitude 999", topics.Location, "device:d-1", Fix("d-1", now), r => r.Add("latitude", 999.0));
        await input.MisPartitionedAsync("mis-partitioned profile", topics.Relationship, "c-3", Profile("c-3", now + 1));
        await input.ValidAsync(topics.Clickstream, "web:a-2", Click("a-2", new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()), "event dated year 3000");
        await input.ValidAsync(topics.Identity, "web:a-x", new IdentityLink(Guid.NewGuid(), now, topics.Identity, IdentifierType.Web, "a-x", string.Empty, IdentityAction.Link), "link with an empty customer id");
        await input.RawAsync("tombstone on responses", topics.Responses, "c-0", null);
        await input.MutatedAsync("key with a brace", topics.Relationship, "a}:b", Profile("c-5", now), r => r.Add("customerId", "a}:b"));
        await input.MutatedAsync("key with ESC", topics.Relationship, "c-6\u001b[2J", Profile("c-6", now), r => r.Add("customerId", "c-6\u001b[2J"));
        // Each valid Avro and within the payload limit, but one context holding both would no longer fit one Kafka record.
        await input.ValidAsync(topics.Clickstream, "web:a-4", Click("a-4", now) with { Url = "https://shop.example/" + new string('p', 990_000) }, "990,000-character url");
        await input.ValidAsync(topics.Relationship, "c-4", Profile("c-4", now + 2) with { PreferredCategories = [.. Enumerable.Range(0, 20_000).Select(i => $"category-{i:D5}-{new string('x', 30)}")] }, "20,000 preferred categories");
        await input.RawAsync("unknown schema id", topics.Location, "device:d-2", [0, 0x7F, 0x7F, 0x7F, 0x7F, 2, 0x61]);

        var corpus = await input.CorpusAsync(CorpusSize, seed: 1313, now, Customers);

        // An identifier factory: 4,200 identifiers of 250 characters linked to one customer, more than one Kafka
        // record could list. The customer keeps the most allowed; the rest are refused, and nothing stops.
        await input.ValidManyAsync(topics.Identity, Enumerable.Range(0, 4_200).Select(i =>
        {
            var device = $"factory-{i:D5}-" + new string('f', 235);
            return ("device:" + device, (ChannelEvent)new IdentityLink(Guid.NewGuid(), now + 1, topics.Identity, IdentifierType.Device, device, "c-7", IdentityAction.Link));
        }));

        // Valid records after all of it: one click per customer, each must reach its context.
        for (var i = 0; i < Customers; i++)
        {
            await input.ValidAsync(topics.Clickstream, $"web:a-{i}", Click($"a-{i}", now + 1_000 + i) with { Url = "https://shop.example/after-the-storm" });
        }

        // Read while they are written: the embedded broker keeps about 5 MiB per partition, and the named cases' dead
        // letters alone take nearly 4, so a larger corpus (scripts/hostile-corpus.sh) pushed them out before the end.
        using var deadLetters = new KafkaTopicTail(options, topology.DeadLetterTopic);
        await using var worker = new InProcessWorker(options, new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce, DeadLetterMaxBytes = 999_000 }, topology);
        var caughtUp = await worker.WaitUntilAsync(
            () => worker.Worker.Status.Partitions.Count > 0 && worker.Worker.Status.Partitions.All(p => (p.Lag ?? 0) == 0) && LatestClicks(options, topics.Context) == Customers,
            TimeSpan.FromSeconds(180));

        Assert.True(worker.Worker.Status.Phase != WorkerPhase.Failed, $"the processor failed on the hostile input: {worker.Worker.Status.Failure}");
        Assert.True(caughtUp, $"{LatestClicks(options, topics.Context)} of {Customers} customers show their last click; lag: {worker.Worker.Status.Partitions.Sum(p => p.Lag ?? 0)}");
        Assert.True(worker.Worker.Status.IsReady, "the processor is not ready after the hostile input");

        var dead = deadLetters.ReadToEnd(TimeSpan.FromSeconds(60));
        var byCase = dead.Where(d => Header(d, CaseHeader) is not null).ToDictionary(d => Header(d, CaseHeader)!, d => Header(d, RecordHeaders.DlqErrorClass) ?? "(none)");
        Assert.Equal(expected.OrderBy(e => e.Key), byCase.OrderBy(e => e.Key));
        var truncated = dead.Single(d => Header(d, CaseHeader) == "1,000,111-byte corrupt value");
        Assert.Equal("1000111", Header(truncated, RecordHeaders.DlqValueTruncatedFrom));
        Assert.Equal(corrupt.AsSpan(0, truncated.Message.Value!.Length).ToArray(), truncated.Message.Value);

        // Every corpus record was either applied or dead-lettered with a permanent reason; none stopped anything.
        var corpusDead = dead.Where(d => Header(d, InputWriter.CorpusHeader) is not null).ToList();
        Assert.All(corpusDead, d => Assert.Contains(Header(d, RecordHeaders.DlqErrorClass), new[] { "BadFraming", "DecodeFailure", "IncompatibleSchema", "UnknownSchemaId", "InvalidValue", "TooLarge" }));
        Assert.InRange(corpusDead.Count, 1, corpus);
        Assert.True(Process.GetCurrentProcess().PeakWorkingSet64 < 3L * 1024 * 1024 * 1024, "memory was not bounded while decoding hostile input");
        TestRunReport.Note($"hostile input: {expected.Count} named cases and a corpus of {corpus} mutated records ({corpusDead.Count} dead-lettered, the rest applied or superseded)");
    }

    /// <summary>Customers whose newest snapshot on the context topic shows the click produced after all hostile input.</summary>
    private static int LatestClicks(KafkaOptions options, string contextTopic)
    {
        var latest = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var record in KafkaTopicReader.ReadAll(options, contextTopic))
        {
            if (record.Message.Key is { } key && record.Message.Value is { } value)
            {
                latest[Encoding.UTF8.GetString(key)] = value;
            }
        }

        return latest.Values.Count(v => v.AsSpan().IndexOf("after-the-storm"u8) >= 0);
    }

    private static string? Header(ConsumeResult<byte[]?, byte[]?> record, string name) =>
        record.Message.Headers?.TryGetLastBytes(name, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;

    private static RelationshipProfile Profile(string customer, long t) =>
        new(Guid.NewGuid(), t, "relationship", customer, "GOLD", "families", 1234.50m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE");

    private static ClickEvent Click(string anonymousId, long t) =>
        new(Guid.NewGuid(), t, "clickstream", ClickType.PageView, anonymousId, null, "s-" + anonymousId, "https://shop.example/p/home", null, null, null, null, null, null);

    private static LocationFix Fix(string device, long t) => new(Guid.NewGuid(), t, "location", device, 52.52, 13.405, 12);
}
