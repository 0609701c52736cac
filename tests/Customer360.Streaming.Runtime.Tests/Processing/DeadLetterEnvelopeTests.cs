using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>The envelope reads back what the worker writes on a dead letter, so a tool replaying it sees the original.</summary>
public sealed class DeadLetterEnvelopeTests
{
    [Fact]
    public void A_failed_input_record_reads_back_with_its_origin_reason_and_only_its_own_headers()
    {
        var input = new StreamRecord("shop.clicks", 3, 41, 1_700, "web:a"u8.ToArray(), [0, 1], [new("trace-id", "t-1"u8.ToArray()), new("c360.foreign", [9])]);

        var envelope = DeadLetterEnvelope.Read(DeadLetterRecord.Headers(input, "app", "validate", "InvalidValue", "bad"));

        Assert.NotNull(envelope);
        Assert.Equal(new RecordOrigin("shop.clicks", 3, 41), envelope.Origin);
        Assert.Equal(1_700, envelope.OriginTimestampMs);
        Assert.Null(envelope.ViaTopic);
        Assert.Equal(("validate", "InvalidValue"), (envelope.Stage, envelope.ErrorClass));
        Assert.False(envelope.Truncated);
        var header = Assert.Single(envelope.OriginalHeaders);
        Assert.Equal("trace-id", header.Key);
    }

    [Fact]
    public void A_routed_record_names_the_input_it_entered_by_and_the_repartition_topic_it_came_through()
    {
        var origin = new RecordOrigin("shop.beacons", 1, 7);
        var routed = new StreamRecord("app-events-repartition", 0, 99, 1_700, "c-1"u8.ToArray(), [0], [new(RecordHeaders.Origin, origin.ToHeader())], new OriginTopics([origin.Topic]));

        var envelope = DeadLetterEnvelope.Read(DeadLetterRecord.Headers(routed, "app", "validate", "InvalidValue", "bad"));

        Assert.NotNull(envelope);
        Assert.Equal(origin, envelope.Origin);
        Assert.Equal("app-events-repartition", envelope.ViaTopic);
        Assert.Empty(envelope.OriginalHeaders);
    }

    [Fact]
    public void A_dead_letter_cut_to_fit_says_so()
    {
        var input = new StreamRecord("shop.clicks", 0, 1, 1, "k"u8.ToArray(), new byte[5_000]);
        var headers = DeadLetterRecord.Headers(input, "app", "deserialize", "TooLarge", "too large");

        var (record, truncated) = DeadLetterRecord.Build("dlq", input, headers, 2_000);

        Assert.True(truncated);
        Assert.True(DeadLetterEnvelope.Read(record.Headers!)!.Truncated);
    }

    [Theory]
    [InlineData(null, "0", "1")]
    [InlineData("shop.clicks", "x", "1")]
    [InlineData("shop.clicks", "-1", "1")]
    [InlineData("shop.clicks", "0", null)]
    public void A_record_without_a_readable_origin_is_not_a_dead_letter_of_ours(string? topic, string? partition, string? offset)
    {
        var headers = new List<KeyValuePair<string, byte[]>>();
        Add(headers, RecordHeaders.DlqOriginTopic, topic);
        Add(headers, RecordHeaders.DlqOriginPartition, partition);
        Add(headers, RecordHeaders.DlqOriginOffset, offset);

        Assert.Null(DeadLetterEnvelope.Read(headers));
    }

    private static void Add(List<KeyValuePair<string, byte[]>> headers, string name, string? value)
    {
        if (value is not null)
        {
            headers.Add(new(name, RecordHeaders.Text(value)));
        }
    }
}
