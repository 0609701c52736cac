using System.Security.Cryptography;
using System.Text;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>Output ids and origins as they go on the wire: what consumers deduplicate on and what downstream guards read.</summary>
public sealed class RecordIdentityTests
{
    [Theory]
    [InlineData("identity", "cust-1", "c360.beacon.v1", 3, 1_234_567L, 0)]
    [InlineData("context", null, "c360.clickstream.v1", 0, 0L, 7)]
    [InlineData("context", "kundin-ä-日本", "c360.mobile.v1", 5, long.MaxValue, int.MaxValue)]
    public void An_output_id_is_the_documented_hash_of_its_parts(string emitter, string? key, string topic, int partition, long offset, int sequence)
    {
        var id = OutputIds.For(emitter, key, new RecordOrigin(topic, partition, offset), sequence);

        Assert.Equal(Documented($"{emitter}\n{key}\n{topic}\n{partition}\n{offset}\n{sequence}"), Encoding.UTF8.GetString(id));
    }

    [Fact]
    public void A_key_too_long_for_the_stack_gets_the_same_id_as_the_scheme_says()
    {
        var key = string.Concat(Enumerable.Repeat("ключ-", 400));

        var id = OutputIds.For("context", key, new RecordOrigin("c360.location.v1", 2, 99), 1);

        Assert.Equal(Documented($"context\n{key}\nc360.location.v1\n2\n99\n1"), Encoding.UTF8.GetString(id));
    }

    [Fact]
    public void An_origin_survives_its_binary_header()
    {
        var origin = new RecordOrigin("c360.beacon.v1", 4, 9_876_543_210);

        var read = new StreamRecord("c360-events-by-customer-repartition", 1, 17, 0, null, null, [new(RecordHeaders.Origin, origin.ToHeader())], Sources).Origin;

        Assert.Equal(origin, read);
        Assert.Equal("c360.beacon.v1:4", read.PartitionKey);
    }

    [Fact]
    public void An_origin_in_the_text_headers_of_earlier_versions_is_still_read()
    {
        var headers = new List<KeyValuePair<string, byte[]>>
        {
            new(RecordHeaders.OriginTopic, "c360.mobile.v1"u8.ToArray()),
            new(RecordHeaders.OriginPartition, "2"u8.ToArray()),
            new(RecordHeaders.OriginOffset, "1234"u8.ToArray()),
        };

        var record = new StreamRecord("c360-events-by-customer-repartition", 0, 5, 0, null, null, headers, Sources);

        Assert.Equal(new RecordOrigin("c360.mobile.v1", 2, 1234), record.Origin);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 1 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'t' })]
    public void A_malformed_origin_header_leaves_the_record_its_own_coordinates(byte[] value)
    {
        var record = new StreamRecord("repartition", 3, 42, 0, null, null, [new(RecordHeaders.Origin, value)], Sources);

        Assert.Equal(new RecordOrigin("repartition", 3, 42), record.Origin);
    }

    [Fact]
    public void An_origin_header_naming_a_topic_no_event_enters_by_leaves_the_record_its_own_coordinates()
    {
        // Found by hand: kcat's "c360.origin=garbage-origin" on a repartition record was read as partition 1734439522
        // of a topic "in", which its dead letter then named as the input to replay it to.
        var forged = Encoding.UTF8.GetBytes("garbage-origin");
        var named = new RecordOrigin("c360.unknown.v1", 0, 7).ToHeader();
        var legacy = new List<KeyValuePair<string, byte[]>>
        {
            new(RecordHeaders.OriginTopic, "c360.unknown.v1"u8.ToArray()),
            new(RecordHeaders.OriginPartition, "0"u8.ToArray()),
            new(RecordHeaders.OriginOffset, "7"u8.ToArray()),
        };

        foreach (var headers in new List<KeyValuePair<string, byte[]>>[] { [new(RecordHeaders.Origin, forged)], [new(RecordHeaders.Origin, named)], legacy })
        {
            Assert.Equal(new RecordOrigin("repartition", 3, 42), new StreamRecord("repartition", 3, 42, 0, null, null, headers, Sources).Origin);
        }
    }

    /// <summary>The topics events enter the tests' topology by.</summary>
    private static readonly OriginTopics Sources = new(["c360.beacon.v1", "c360.mobile.v1"]);

    /// <summary>The scheme in its plainest form: SHA-256 of the newline-joined parts, first 16 bytes, lowercase hex.</summary>
    private static string Documented(string joined) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined))[..16]);
}
