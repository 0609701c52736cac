using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Schemas.Tests.Contracts;

/// <summary>Output eventIds are declared <c>logicalType: uuid</c>: they must pass a strict RFC 9562 check, and stay deterministic.</summary>
public sealed class OutputIdTests
{
    [Fact]
    public void SnapshotIds_AreVersion8Rfc9562Uuids_TheSameForTheSameContextAndVersion()
    {
        var ids = Enumerable.Range(0, 500).Select(i => ContextSnapshotWriter.SnapshotId($"c-{i}", i)).ToList();

        Assert.All(ids, id =>
        {
            var text = id.ToString();
            Assert.Equal('8', text[14]);
            Assert.Contains(text[19], "89ab");
            Assert.Equal(8, id.Version);
        });
        Assert.Equal(ids, Enumerable.Range(0, 500).Select(i => ContextSnapshotWriter.SnapshotId($"c-{i}", i)));
        Assert.Equal(500, ids.Distinct().Count());
    }
}
