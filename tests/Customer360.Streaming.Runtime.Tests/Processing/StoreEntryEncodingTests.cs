using System.Text;
using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// A store entry's changelog encoding: the same entry gives the same bytes whatever order its inputs were applied in
/// (a replay must write what the first run wrote), and the bytes decode to the value and offsets they came from.
/// </summary>
public sealed class StoreEntryEncodingTests
{
    [Fact]
    public void AppliedOffsetsOfSeveralPartitions_EncodeInTheSameOrderWhateverTheirOrderOfArrival()
    {
        var forward = Entry(("web-3", 40), ("app-1", 7), ("beacon-0", 12));
        var backward = Entry(("beacon-0", 12), ("app-1", 7), ("web-3", 40));

        Assert.Equal(forward.Encode(), backward.Encode());
    }

    [Fact]
    public void AnEntryPutAsAnObject_EncodesItsCurrentValue_AndDecodesBackToItAndItsOffsets()
    {
        var entry = Entry(("web-3", 40), ("app-1", 7));
        entry.SetDecoded("first", TextSerde.Instance);
        var first = entry.Encode();
        entry.SetDecoded("second", TextSerde.Instance);

        var decoded = StoreEntry.Decode(entry.Encode());

        Assert.Equal("second", Encoding.UTF8.GetString(decoded.Value));
        Assert.Equal(new Dictionary<string, long> { ["app-1"] = 7, ["web-3"] = 40 }, decoded.Applied);
        Assert.Equal("first", Encoding.UTF8.GetString(StoreEntry.Decode(first).Value));
        Assert.Equal("second", entry.Decoded(TextSerde.Instance));
    }

    [Fact]
    public void EveryPrefixOfAnEntry_AndBytesNoRuntimeWrote_AreRefusedWithAReason_NeverAnAllocationTheyClaim()
    {
        var encoded = Entry(("web-3", 40), ("app-1", 7)).Encode();
        var hostileCount = new byte[] { 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        var hostileLength = new byte[] { 1, 0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 };
        var candidates = Enumerable.Range(0, encoded.Length - "value".Length).Select(length => encoded[..length])
            .Append("{\"customerId\":\"c-1\"}"u8.ToArray()).Append(hostileCount).Append(hostileLength);

        Assert.Null(StoreEntry.Malformed(encoded));
        Assert.All(candidates, bytes =>
        {
            Assert.NotNull(StoreEntry.Malformed(bytes));
            var refused = Assert.Throws<InvalidDataException>(() => StoreEntry.Decode(bytes));
            Assert.StartsWith("Changelog entry ", refused.Message, StringComparison.Ordinal);
        });
    }

    private static StoreEntry Entry(params (string Partition, long Offset)[] applied)
    {
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (partition, offset) in applied)
        {
            offsets[partition] = offset;
        }

        return new StoreEntry("value"u8.ToArray(), offsets);
    }

    private sealed class TextSerde : StateSerde<string>
    {
        public static readonly TextSerde Instance = new();

        public override byte[] Encode(string value) => Encoding.UTF8.GetBytes(value);

        public override string Decode(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);
    }
}
