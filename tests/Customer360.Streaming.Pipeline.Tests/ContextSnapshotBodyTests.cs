using Avro;
using Avro.Generic;
using Avro.IO;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// Snapshots written field by field must be the bytes of the record <see cref="ContextSnapshotWriter"/> builds: a
/// consumer of <c>c360.context.v1</c> cannot tell which path wrote them.
/// </summary>
public sealed class ContextSnapshotBodyTests
{
    private static readonly ContextSnapshotWriter RecordWriter = new(SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas")));

    [Fact]
    public void The_simulators_contexts_are_written_as_the_same_bytes_as_their_records()
    {
        var h = PipelineHarness.Simulated(400, seed: 5, events: 9_000);
        var contexts = h.StoredContexts().Select(s => ContextState.Decode(s)).ToList();

        Assert.All(contexts, context => Assert.Equal(RecordBytes(context), BodyBytes(context)));
        // The codec frames a written body as it frames a record: same schema id, same bytes on the topic.
        Assert.All(contexts.Take(50), context => Assert.Equal(
            h.Codec.Encode(RecordWriter.Write(context), PipelineHarness.Names.Context), h.Codec.EncodeSnapshot(context, PipelineHarness.Names.Context)));
        // Every branch of the layout was taken by some context, so the comparison covered each of them.
        Assert.Contains(contexts, c => c.Web.CartUpdatedMs >= 0);
        Assert.Contains(contexts, c => c.Web.CartUpdatedMs < 0);
        Assert.Contains(contexts, c => c.InStore.StoreId is not null && c.InStore.ZonesVisited.Count > 0);
        Assert.Contains(contexts, c => c.Location.DistanceMeters is null);
        Assert.Contains(contexts, c => c.Location.DistanceMeters is not null);
        Assert.Contains(contexts, c => c.Provenance.Count > 1);
        Assert.Contains(contexts, c => c.Web.CategoryCounts((long)ContextSnapshotWriter.RecentCategoryWindow.TotalMilliseconds, c.AsOfMs).Count > 0);
        Assert.Equal(4, contexts.Select(c => c.Location.State).Distinct().Count());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-12.5")]
    [InlineData("1234567890.125")]
    [InlineData("0.005")]
    [InlineData("127.99")]
    [InlineData("-128.01")]
    public void Edge_values_are_written_as_the_same_bytes_as_their_records(string cartValue)
    {
        var context = new CustomerContext
        {
            ContextId = "kunde-ä€😀",
            AsOfMs = -1,
            Web = new WebView { CartValue = decimal.Parse(cartValue, System.Globalization.CultureInfo.InvariantCulture), CartUpdatedMs = 0, LastSearch = "" },
            Location = new LocationView { State = PresenceState.NearStore, DistanceMeters = -0.0, FixTimeMs = 4_102_444_800_000 },
            InStore = new InStoreView { StoreId = "s", EnteredStoreMs = -1 },
        };

        Assert.Equal(RecordBytes(context), BodyBytes(context));
        Assert.Equal(RecordBytes(new CustomerContext { ContextId = "" }), BodyBytes(new CustomerContext { ContextId = "" }));
    }

    [Fact]
    public void A_schema_with_another_layout_is_left_to_the_record_path()
    {
        var json = RecordWriter.Schema.ToString();
        var withAField = json.Replace(
            "{\"name\":\"customerId\"", "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"customerId\"", StringComparison.Ordinal);
        var withAnotherScale = json.Replace("\"scale\":2", "\"scale\":3", StringComparison.Ordinal);

        Assert.True(ContextSnapshotBody.Writes(RecordWriter.Schema));
        Assert.NotEqual(json, withAField);
        Assert.False(ContextSnapshotBody.Writes((RecordSchema)Schema.Parse(withAField)));
        Assert.NotEqual(json, withAnotherScale);
        Assert.False(ContextSnapshotBody.Writes((RecordSchema)Schema.Parse(withAnotherScale)));
    }

    private static byte[] RecordBytes(CustomerContext context)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(RecordWriter.Schema).Write(RecordWriter.Write(context), new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static byte[] BodyBytes(CustomerContext context)
    {
        using var stream = new MemoryStream();
        ContextSnapshotBody.Write(context, new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
