using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.IntegrationTests.Schemas;

/// <summary>Every contract: serializer → registry over HTTP → broker → deserializer, compared field for field.</summary>
public sealed class ContractRoundTripTests(KafkaFixture kafka, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task EveryContract_ThroughRegistryAndBroker_DecodesFieldForField()
    {
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var names = new UniqueNames(nameof(EveryContract_ThroughRegistryAndBroker_DecodesFieldForField));
        var topic = names.Topic("contracts");
        await kafka.CreateTopicAsync(topic, 1);
        using var client = registry.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, new AvroSerdeOptions { SubjectNameStrategy = SubjectNameStrategy.TopicRecord });
        var options = kafka.Options(names.Group());
        var expected = new List<string>();

        using (var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(options, "contracts")).Build())
        {
            foreach (var contract in contracts.Names)
            {
                for (var seed = 0; seed < 5; seed++)
                {
                    var record = AvroSamples.Record(contracts.Latest(contract).Schema, seed);
                    expected.Add(AvroRendering.ToText(record));
                    var value = await serializer.SerializeAsync(record, topic, cancellationToken: TestContext.Current.CancellationToken);
                    await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = contract, Value = value }, TestContext.Current.CancellationToken);
                }
            }
        }

        var deserializer = new AvroDeserializer<GenericRecord>(client);
        var actual = new List<string>();
        using (var consumer = new ConsumerBuilder<string, GenericRecord>(KafkaClientConfigs.Consumer(options, names.Group(), "contracts"))
            .SetValueDeserializer(deserializer).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (actual.Count < expected.Count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                {
                    actual.Add(AvroRendering.ToText(result.Message.Value));
                }
            }
        }

        Assert.Equal(expected, actual);
        var subjects = await client.GetSubjectsAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"{topic}-customer360.events.ClickstreamEvent", subjects);
    }
}
