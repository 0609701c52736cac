using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using CsCheck;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Corpus;

namespace Customer360.Streaming.IntegrationTests.Edges;

/// <summary>Writes the product's input topics as an outside producer would: valid contracts, altered ones, raw bytes.</summary>
internal sealed class InputWriter(KafkaOptions options, ISchemaRegistryClient registry, ProductTopicNames topics, TopicCatalog catalog) : IDisposable
{
    public const string CorpusHeader = "test-corpus";

    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));

    private readonly ChannelEventWriter _writer = new(Contracts);
    private readonly AvroSerializer<GenericRecord> _serializer = new(registry);
    private readonly IProducer<byte[], byte[]?> _producer = new ProducerBuilder<byte[], byte[]?>(
        new ProducerConfig(KafkaClientConfigs.Producer(options, "hostile-input")) { MessageMaxBytes = 4_000_000 }).Build();

    public Task<byte[]> EncodeAsync(string topic, ChannelEvent channelEvent) => _serializer.SerializeAsync(Record(topic, channelEvent), topic);

    public async Task ValidAsync(string topic, string key, ChannelEvent channelEvent, string? testCase = null) =>
        await RawAsync(testCase, topic, key, await EncodeAsync(topic, channelEvent));

    /// <summary>Many valid records at once, acknowledged together (each key's records stay in their order).</summary>
    public async Task ValidManyAsync(string topic, IEnumerable<(string Key, ChannelEvent Event)> records)
    {
        var sends = new List<Task>();
        foreach (var (key, channelEvent) in records)
        {
            sends.Add(_producer.ProduceAsync(topic, Message(null, Encoding.UTF8.GetBytes(key), await EncodeAsync(topic, channelEvent))));
        }

        await Task.WhenAll(sends);
    }

    public async Task MutatedAsync(string testCase, string topic, string key, ChannelEvent channelEvent, Action<GenericRecord> mutate)
    {
        var record = Record(topic, channelEvent);
        mutate(record);
        await RawAsync(testCase, topic, key, await _serializer.SerializeAsync(record, topic));
    }

    /// <summary>On the partition after the one murmur2 assigns the key: what a CRC32-partitioning producer does to most keys.</summary>
    public async Task MisPartitionedAsync(string testCase, string topic, string key, ChannelEvent channelEvent)
    {
        var partitions = catalog.Topics.Single(t => t.Name == topic).Partitions;
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var wrong = (Murmur2.Partition(keyBytes, partitions) + 1) % partitions;
        await _producer.ProduceAsync(new TopicPartition(topic, wrong), Message(testCase, keyBytes, await EncodeAsync(topic, channelEvent)));
    }

    public async Task RawAsync(string? testCase, string topic, string key, byte[]? value) =>
        await _producer.ProduceAsync(topic, Message(testCase, Encoding.UTF8.GetBytes(key), value));

    /// <summary>
    /// <paramref name="size"/> records of the generated hostile corpus (<see cref="HostileCorpus"/>: hostile field
    /// values, keys that disagree, truncations, bit flips, lying lengths) over all seven input contracts, drawn from a
    /// seeded generator so a failure reproduces. Its customers and identifiers are its own. Returns how many it wrote.
    /// </summary>
    public async Task<int> CorpusAsync(int size, ulong seed, long now, int customers)
    {
        var inputs = new InputTopics(topics.Clickstream, topics.Mobile, topics.Location, topics.Beacon, topics.Relationship, topics.Identity, topics.Responses);
        var corpus = HostileCorpus.Records(inputs, now, customers).Array[size].Generate(new PCG(1, seed), null, out _);
        for (var i = 0; i < corpus.Length; i++)
        {
            var record = corpus[i];
            var bytes = record.Mutation.Apply(await _serializer.SerializeAsync(_writer.Write(record.Event, record.Identifier), record.Topic));
            var message = Message(null, Encoding.UTF8.GetBytes(record.Key), bytes);
            message.Headers.Add(CorpusHeader, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await _producer.ProduceAsync(record.Topic, message);
        }

        return corpus.Length;
    }

    public void Dispose() => _producer.Dispose();

    private static Message<byte[], byte[]?> Message(string? testCase, byte[] key, byte[]? value)
    {
        var message = new Message<byte[], byte[]?> { Key = key, Value = value, Headers = [] };
        if (testCase is not null)
        {
            message.Headers.Add("test-case", Encoding.UTF8.GetBytes(testCase));
        }

        return message;
    }

    private GenericRecord Record(string topic, ChannelEvent channelEvent) =>
        _writer.Write(channelEvent, topic == topics.Beacon ? "device:y-0" : null);
}
