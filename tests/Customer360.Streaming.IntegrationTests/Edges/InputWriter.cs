using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;

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
    /// Valid records of all seven input contracts, each then truncated, bit-flipped or given a length that lies, from a
    /// seeded generator so a failure reproduces. Its customers and identifiers are its own. Returns how many it wrote.
    /// </summary>
    public async Task<int> CorpusAsync(int size, int seed, long now, int customers)
    {
        var random = new Random(seed);
        string[] inputs = [topics.Clickstream, topics.Mobile, topics.Location, topics.Beacon, topics.Relationship, topics.Identity, topics.Responses];
        for (var i = 0; i < size; i++)
        {
            var topic = inputs[random.Next(inputs.Length)];
            var n = random.Next(customers);
            var (key, channelEvent) = Sample(topic, n, now - random.Next(60_000));
            var bytes = await EncodeAsync(topic, channelEvent);
            bytes = Mutate(bytes, random);
            var message = Message(null, Encoding.UTF8.GetBytes(key), bytes);
            message.Headers.Add(CorpusHeader, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await _producer.ProduceAsync(topic, message);
        }

        return size;
    }

    public void Dispose() => _producer.Dispose();

    private (string Key, ChannelEvent Event) Sample(string topic, int n, long t)
    {
        if (topic == topics.Clickstream)
        {
            return ($"web:z-{n}", new ClickEvent(Guid.NewGuid(), t, topic, ClickType.AddToCart, $"z-{n}", null, "s", "https://shop.example/p/tv", "tv", "electronics", 499.90m, 1, 499.90m, null));
        }

        if (topic == topics.Mobile)
        {
            return ($"device:y-{n}", new AppEvent(Guid.NewGuid(), t, topic, AppEventType.ScreenView, $"y-{n}", null, "home"));
        }

        if (topic == topics.Location)
        {
            return ($"device:y-{n}", new LocationFix(Guid.NewGuid(), t, topic, $"y-{n}", 52.52, 13.405, 12));
        }

        if (topic == topics.Beacon)
        {
            return ($"device:y-{n}", new BeaconSighting(Guid.NewGuid(), t, topic, "berlin-mitte", "electronics", Proximity.Near, -60, SightingType.Dwell));
        }

        if (topic == topics.Relationship)
        {
            return ($"k-{n}", new RelationshipProfile(Guid.NewGuid(), t, topic, $"k-{n}", "SILVER", "students", 99.5m, 0.5, ["books"], null, new Consent(Email: true), null, "Europe/Berlin", "de-DE"));
        }

        return topic == topics.Identity
            ? ($"device:y-{n}", new IdentityLink(Guid.NewGuid(), t, topic, IdentifierType.Device, $"y-{n}", $"k-{n}", IdentityAction.Link))
            : ($"k-{n}", new TriggerResponse(Guid.NewGuid(), t, topic, "trigger-1", $"k-{n}", ResponseOutcome.Opened));
    }

    /// <summary>Truncation, one to three bit flips, or a varint claiming a huge length, anywhere after the magic byte.</summary>
    private static byte[] Mutate(byte[] bytes, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                return bytes[..random.Next(1, bytes.Length)];
            case 1:
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    var at = random.Next(1, bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                break;
            default:
                var start = random.Next(5, bytes.Length - 1);
                bytes[start] = 0xFE;
                bytes[start + 1] = 0xFF;
                break;
        }

        return bytes;
    }

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
