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
    public void A_value_of_a_format_this_version_does_not_know_is_refused_naming_the_format()
    {
        var encoded = ContextState.Encode(CustomerContext.Empty("c-1"));
        encoded[0] = 2;

        var error = Assert.Throws<InvalidDataException>(() => ContextState.Decode(encoded));

        Assert.Contains("format 2", error.Message, StringComparison.Ordinal);
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
