using System.Text.Json.Nodes;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.IntegrationTests.Interop;

/// <summary>
/// Our serdes, registry and broker against implementations we did not write: kafkajs and
/// @kafkajs/confluent-schema-registry (avsc) register, produce, consume and decode every contract.
/// </summary>
public sealed class NodeInteropTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    private const int RecordsPerContract = 4;
    private static readonly string NodeDirectory = Path.Combine(RepositoryLayout.Root, "tests", "interop", "node");
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    [Fact]
    public async Task NodeProducer_CSharpDeserializer_DecodesEveryContractFieldForField()
    {
        var node = RequireNode();
        var names = new UniqueNames(nameof(NodeProducer_CSharpDeserializer_DecodesEveryContractFieldForField));
        var work = TestScratch.Run.NewDirectory("c360-interop-");
        var manifest = new JsonArray();
        var expected = new Dictionary<string, List<string>>();
        foreach (var contract in Contracts.Names)
        {
            var topic = names.Topic(contract);
            await kafka.CreateTopicAsync(topic, 1);
            var lines = Enumerable.Range(0, RecordsPerContract)
                .Select(seed => AvroRendering.Render(AvroSamples.Record(Contracts.Latest(contract).Schema, seed))!.ToJsonString())
                .ToList();
            var recordsFile = Path.Combine(work, contract + ".jsonl");
            await File.WriteAllLinesAsync(recordsFile, lines, TestContext.Current.CancellationToken);
            expected[topic] = lines;
            manifest.Add(new JsonObject { ["topic"] = topic, ["subject"] = topic + "-value", ["schemaFile"] = Contracts.Latest(contract).Path, ["recordsFile"] = recordsFile });
        }

        var run = await RunNodeAsync(node, work, manifest, "produce");
        Assert.True(run.ExitCode == 0, "node produce failed: " + run.AllOutput);

        using var client = registry.CreateClient();
        var deserializer = new AvroDeserializer<GenericRecord>(client);
        var options = kafka.Options(names.Group());
        using var consumer = new ConsumerBuilder<string, byte[]>(KafkaClientConfigs.Consumer(options, names.Group(), "interop")).Build();
        foreach (var (topic, lines) in expected)
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var actual = new List<string>();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (actual.Count < lines.Count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                {
                    actual.Add(AvroRendering.Render(deserializer.Deserialize(result.Message.Value))!.ToJsonString());
                }
            }

            Assert.Equal(lines, actual);
        }
    }

    [Fact]
    public async Task CSharpProducer_NodeDecoder_DecodesEveryContractFieldForField()
    {
        var node = RequireNode();
        var names = new UniqueNames(nameof(CSharpProducer_NodeDecoder_DecodesEveryContractFieldForField));
        var work = TestScratch.Run.NewDirectory("c360-interop-");
        using var client = registry.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client);
        var options = kafka.Options(names.Group());
        var manifest = new JsonArray();
        var expected = new Dictionary<string, List<string>>();
        using (var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(options, "interop")).Build())
        {
            foreach (var contract in Contracts.Names)
            {
                var topic = names.Topic(contract);
                await kafka.CreateTopicAsync(topic, 1);
                expected[topic] = [];
                for (var seed = 100; seed < 100 + RecordsPerContract; seed++)
                {
                    var record = AvroSamples.Record(Contracts.Latest(contract).Schema, seed);
                    expected[topic].Add(AvroRendering.Render(record)!.ToJsonString());
                    var value = await serializer.SerializeAsync(record, topic, cancellationToken: TestContext.Current.CancellationToken);
                    await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = contract, Value = value }, TestContext.Current.CancellationToken);
                }

                manifest.Add(new JsonObject { ["topic"] = topic, ["subject"] = topic + "-value", ["schemaFile"] = Contracts.Latest(contract).Path });
            }
        }

        var run = await RunNodeAsync(node, work, manifest, "consume", "--count", RecordsPerContract.ToString(System.Globalization.CultureInfo.InvariantCulture), "--group", names.Group("node"));
        Assert.True(run.ExitCode == 0, "node consume failed: " + run.AllOutput);

        var decoded = run.StandardOutput.Select(l => JsonNode.Parse(l)!).ToList();
        foreach (var (topic, lines) in expected)
        {
            var actual = decoded.Where(d => d["topic"]!.GetValue<string>() == topic).Select(d => d["value"]!.ToJsonString()).ToList();
            Assert.Equal(lines, actual);
        }
    }

    [Fact]
    public async Task NodeConsumer_JoinsAndLeavesTheGroup_WithoutAnErrorFromTheBroker()
    {
        var node = RequireNode();
        var names = new UniqueNames(nameof(NodeConsumer_JoinsAndLeavesTheGroup_WithoutAnErrorFromTheBroker));
        var topic = names.Topic("leave");
        await kafka.CreateTopicAsync(topic, 1);

        var run = await ChildProcess.RunAsync(
            node, [Path.Combine(NodeDirectory, "interop.js"), "join-leave", "--bootstrap", kafka.BootstrapServers, "--topic", topic, "--group", names.Group("node")], TimeSpan.FromSeconds(120));

        Assert.True(run.ExitCode == 0, "node join-leave failed: " + run.AllOutput);
        var result = JsonNode.Parse(run.StandardOutput[^1])!;
        Assert.True(result["joined"]!.GetValue<bool>(), "the kafkajs consumer never joined: " + run.AllOutput);
        Assert.Empty(result["leaveErrors"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    private static string RequireNode()
    {
        var node = ExternalTools.Find("node");
        if (node is null)
        {
            Assert.Skip("Node.js is not installed; the kafkajs interop tests did not run (apt-get install -y nodejs npm)");
        }

        if (!Directory.Exists(Path.Combine(NodeDirectory, "node_modules", "kafkajs")))
        {
            Assert.Skip("npm packages for the interop tests are not installed; ./scripts/test.sh runs 'npm ci' in tests/interop/node");
        }

        return node;
    }

    private async Task<ChildProcess> RunNodeAsync(string node, string work, JsonArray manifest, string mode, params string[] extra)
    {
        var manifestFile = Path.Combine(work, $"manifest-{mode}.json");
        await File.WriteAllTextAsync(manifestFile, manifest.ToJsonString(), TestContext.Current.CancellationToken);
        string[] arguments = [Path.Combine(NodeDirectory, "interop.js"), mode, "--bootstrap", kafka.BootstrapServers, "--registry", registry.UrlText, "--manifest", manifestFile, .. extra];
        return await ChildProcess.RunAsync(node, arguments, TimeSpan.FromSeconds(120));
    }
}
