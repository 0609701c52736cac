using System.Collections.Concurrent;
using Avro;
using Avro.Generic;
using CsCheck;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Corpus;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// Channel events read straight from their bodies must be what the record path makes of the same bytes: the same
/// event, or the same failure (kind and message), whatever a producer wrote. Compared over the simulator's records
/// and the hostile corpus, which truncates, flips bits and writes hostile values.
/// </summary>
public sealed class ChannelBodyReaderTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private static readonly TopicCatalog Topics = TopicCatalog.Load(RepositoryLayout.TopicsFile);

    private static readonly InputTopics Inputs = new(
        PipelineHarness.Names.Clickstream, PipelineHarness.Names.Mobile, PipelineHarness.Names.Location, PipelineHarness.Names.Beacon,
        PipelineHarness.Names.Relationship, PipelineHarness.Names.Identity, PipelineHarness.Names.Responses, PipelineHarness.Names.KeyedByCustomer);

    [Fact]
    public void Each_channel_contract_has_a_body_reader_and_the_other_inputs_have_none()
    {
        var readers = Topics.Topics.Where(t => t.ValueSchema is not null && t.Role is Runtime.Topology.TopicRole.Input or Runtime.Topology.TopicRole.Table)
            .ToDictionary(t => t.Name, t => ChannelBodyReader.For(Contracts.Latest(t.ValueSchema!).Schema, t.Name) is not null);

        Assert.All(PipelineHarness.Names.Channels.Concat(PipelineHarness.Names.CustomerKeyedChannels), topic => Assert.True(readers[topic], topic));
        Assert.False(readers[PipelineHarness.Names.Relationship]);
        Assert.False(readers[PipelineHarness.Names.Identity]);
        Assert.False(readers[PipelineHarness.Names.Responses]);
    }

    [Fact]
    public void The_simulators_records_read_from_the_body_equal_their_mapped_records()
    {
        var h = new PipelineHarness();
        var population = new Customer360.Streaming.Simulation.Population(200, seed: 9, StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml")), PipelineHarness.T0);
        var readBodies = 0;
        foreach (var record in population.Events(4_000).Where(r => PipelineHarness.Names.Channels.Contains(r.Topic)))
        {
            var bytes = h.Encode(record.Event, record.Topic, record.Identifier);
            var (body, viaRecord) = BothPaths(h, record.Topic, bytes);

            Assert.Equal(viaRecord, body);
            readBodies += body.Read ? 1 : 0;
        }

        Assert.True(readBodies > 3_000, $"{readBodies} bodies read");
    }

    [Fact]
    public void Any_hostile_record_fails_or_reads_from_the_body_exactly_as_through_its_record()
    {
        var h = new PipelineHarness();
        var outcomes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        HostileCorpus.Records(Inputs, PipelineHarness.T0, customers: 4).Where(r => PipelineHarness.Names.Channels.Contains(r.Topic)).Sample(
            record =>
            {
                var bytes = record.Mutation.Apply(h.Encode(record.Event, record.Topic, record.Identifier));
                var (body, viaRecord) = BothPaths(h, record.Topic, bytes);

                Assert.Equal(viaRecord, body);
                outcomes.AddOrUpdate(body.Kind, 1, (_, n) => n + 1);
            },
            iter: 2_000);

        // The corpus reached the body reader's every kind of outcome, not only the frames it refuses before reading.
        Assert.True(outcomes.GetValueOrDefault("event") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("DecodeFailure") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("invalid") > 0, string.Join(", ", outcomes));
    }

    [Fact]
    public void A_writer_of_another_layout_is_read_through_its_record()
    {
        var reader = Contracts.Latest("clickstream-event").Schema;
        var body = ChannelBodyReader.For(reader, PipelineHarness.Names.Clickstream)!;
        var json = reader.ToString();
        var withAField = (RecordSchema)Schema.Parse(json.Replace("{\"name\":\"currency\"", "{\"name\":\"region\",\"type\":\"string\"},{\"name\":\"currency\"", StringComparison.Ordinal));
        var withAnotherScale = (RecordSchema)Schema.Parse(json.Replace("\"scale\":2", "\"scale\":3", StringComparison.Ordinal));

        Assert.True(body.Reads(reader));
        Assert.False(body.Reads(withAField));
        Assert.False(body.Reads(withAnotherScale));
        Assert.False(body.Reads(Contracts.Latest("mobile-app-event").Schema));
    }

    /// <summary>What each path makes of <paramref name="bytes"/>: the event, or the failure's kind and message.</summary>
    private static (PathResult Body, PathResult ViaRecord) BothPaths(PipelineHarness h, string topic, byte[] bytes)
    {
        var readerSchema = Contracts.Latest(Topics.Topics.Single(t => t.Name == topic).ValueSchema!).Schema;
        var deserializer = new AvroDeserializer<GenericRecord>(h.Registry, new AvroSerdeOptions(), readerSchema);
        var body = ChannelBodyReader.For(readerSchema, topic)!;
        return (
            PathResult.Of(() => deserializer.TryReadBody(bytes, body, out var e) ? e : null, read: true),
            PathResult.Of(() => ChannelEventMapper.Map(deserializer.Deserialize(bytes), topic), read: false));
    }

    private sealed record PathResult(string Kind, ChannelEvent? Event, string? Message, bool Read)
    {
        public static PathResult Of(Func<ChannelEvent?> decode, bool read)
        {
            try
            {
                return decode() is { } e ? new("event", e, null, read) : new("left to the record path", null, null, false);
            }
            catch (SerdeException ex)
            {
                return new(ex.Kind.ToString(), null, ex.Message, read);
            }
            catch (PoisonRecordException ex)
            {
                return new("invalid", null, ex.Message, read);
            }
        }

        /// <summary>Equal when the outcomes are; which path produced them is not compared.</summary>
        public bool Equals(PathResult? other) => other is not null && Kind == other.Kind && Equals(Event, other.Event) && Message == other.Message;

        public override int GetHashCode() => HashCode.Combine(Kind, Message);
    }
}
