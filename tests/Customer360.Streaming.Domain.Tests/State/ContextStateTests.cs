using System.Collections.Immutable;
using CsCheck;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.State;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>The compact state encoding of contexts: lossless, deterministic, versioned, and refusing what it cannot read.</summary>
public sealed class ContextStateTests
{
    [Fact]
    public void Encode_then_decode_gives_back_any_context_as_its_public_json_shows_it()
    {
        ContextGenerators.Contexts.Sample(context =>
        {
            var encoded = ContextState.Encode(context);
            var decoded = ContextState.Decode(encoded);

            Assert.Equal(ContextJson.Serialize(context), ContextJson.Serialize(decoded));
            Assert.Equal(encoded, ContextState.Encode(decoded));
        }, iter: 2_000);
    }

    [Fact]
    public void The_version_read_from_a_stored_context_is_the_decoded_contexts_in_every_format()
    {
        // A re-assertion compares each stored context's version with Redis's before it decodes the context at all.
        ContextGenerators.Contexts.Sample(context =>
        {
            var format3 = ContextState.Encode(context);
            var format1 = format3.ToArray();
            format1[0] = ContextState.Format1;
            var json = System.Text.Encoding.UTF8.GetBytes(ContextJson.Serialize(context));

            Assert.Equal(context.Version, ContextState.Version(format3));
            Assert.Equal(context.Version, ContextState.Version(format1));
            Assert.Equal(context.Version, ContextState.Version(json));
        }, iter: 500);
        Assert.Throws<InvalidDataException>(() => ContextState.Version([]));
        Assert.Throws<InvalidDataException>(() => ContextState.Version([ContextState.Format3, 200]));
    }

    [Fact]
    public void A_context_encodes_to_the_same_bytes_whatever_the_thread_encoded_before()
    {
        // Encoding reuses one writer per thread: nothing of the value before (its strings, its time base, its
        // length) may show in the next.
        Gen.Select(ContextGenerators.Contexts, ContextGenerators.Contexts).Sample((before, context) =>
        {
            var onAFreshThread = FreshThread.Run(() => ContextState.Encode(context));

            ContextState.Encode(before);

            Assert.Equal(onAFreshThread, ContextState.Encode(context));
        }, iter: 300);
    }

    [Fact]
    public void A_value_of_a_format_this_version_does_not_know_is_refused_naming_the_format()
    {
        var encoded = ContextState.Encode(CustomerContext.Empty("c-1"));
        encoded[0] = 4;

        var error = Assert.Throws<InvalidDataException>(() => ContextState.Decode(encoded));

        Assert.Contains("format 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contexts_stored_in_format_1_are_still_read_with_provenance_of_unknown_partition_and_offset()
    {
        // Provenance is the last field before the segments (one count byte when there are none), and a partition and
        // offset of -1 are one byte each: a format-3 value with those is a format-1 value plus three bytes, which is how
        // format 1 wrote the same context.
        var context = CustomerContext.Empty("c-1") with
        {
            Version = 3,
            Provenance = ImmutableSortedDictionary.Create<string, Provenance>(StringComparer.Ordinal)
                .Add("web", new Provenance("c360.clickstream.v1", Guid.Parse("6f1c2f2e-8d9b-4c1a-9a57-0a1b2c3d4e5f"), 1_700_000_000_000)),
        };
        var format3 = ContextState.Encode(context);
        var format1 = format3[..^3];
        format1[0] = ContextState.Format1;

        var decoded = ContextState.Decode(format1);

        Assert.Equal(ContextJson.Serialize(context), ContextJson.Serialize(decoded));
        Assert.Equal((-1, -1L), (decoded.Provenance["web"].Partition, decoded.Provenance["web"].Offset));
        Assert.Equal(ContextState.Format3, ContextState.Encode(decoded)[0]);
    }

    [Fact]
    public void Contexts_stored_in_format_2_are_still_read_without_segments_and_written_back_in_format_3()
    {
        var context = CustomerContext.Empty("c-2") with { Version = 5 };
        var format3 = ContextState.Encode(context);
        var format2 = format3[..^1];
        format2[0] = ContextState.Format2;

        var decoded = ContextState.Decode(format2);

        Assert.Equal(ContextJson.Serialize(context), ContextJson.Serialize(decoded));
        Assert.Empty(decoded.Segments);
        Assert.Equal(format3, ContextState.Encode(decoded));
    }

    [Fact]
    public void Contexts_stored_as_json_before_the_compact_format_are_still_read()
    {
        ContextGenerators.Contexts.Sample(context =>
        {
            var json = System.Text.Encoding.UTF8.GetBytes(ContextJson.Serialize(context));

            Assert.Equal(ContextJson.Serialize(context), ContextJson.Serialize(ContextState.Decode(json)));
        }, iter: 200);
    }

    [Fact]
    public void Every_truncation_and_any_corruption_fails_as_invalid_data_or_decodes_and_nothing_else_is_thrown()
    {
        Gen.Select(ContextGenerators.Contexts, Gen.Int[0, int.MaxValue], Gen.Int[0, 7]).Sample((context, at, bit) =>
        {
            var encoded = ContextState.Encode(context);
            Assert.Throws<InvalidDataException>(() => ContextState.Decode(encoded.AsSpan(0, at % encoded.Length)));

            var flipped = encoded.ToArray();
            var position = 1 + (at % (encoded.Length - 1));
            flipped[position] ^= (byte)(1 << bit);
            try
            {
                ContextState.Decode(flipped);
            }
            catch (InvalidDataException)
            {
                // Refused: what a corrupt changelog value must give.
            }
        }, iter: 2_000);
    }

    [Fact]
    public void A_context_with_every_field_set_survives_the_round_trip_so_a_new_field_cannot_be_forgotten()
    {
        var full = EveryFieldSet.Of<CustomerContext>();

        var decoded = ContextState.Decode(ContextState.Encode(full));

        Assert.Equal(ContextJson.Serialize(full), ContextJson.Serialize(decoded));
        Assert.DoesNotContain(":null", ContextJson.Serialize(full), StringComparison.Ordinal);
    }
}
