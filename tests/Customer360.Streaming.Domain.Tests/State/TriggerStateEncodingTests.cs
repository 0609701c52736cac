using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CsCheck;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>
/// A customer's trigger state as the trigger-history store and its changelog keep it: lossless, deterministic, smaller
/// than the JSON it replaced, still reading that JSON, and refusing what it cannot read.
/// </summary>
public sealed class TriggerStateEncodingTests
{
    private static readonly TriggerState Full = new()
    {
        LastByRule = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("cart-in-store", 1_000L)]),
        LastByGroup = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("offers", 1_000L)]),
        Day = "2026-12-03",
        SentToday = 2,
        LastSentMs = 1_000,
        LastSentPriority = 80,
        SequenceMarks = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("browse-then-visit", 900L)]),
        Timers = [new PendingTimer("dwell-electronics", TimerKind.Dwell, 5_000, new SourceRef("c360.beacon.v1", 2, 41, Guid.Parse("8c1f1a4e-2b7d-8c3e-9a55-0d4f6e7a8b9c")), "s1/electronics",
            [new ConditionTrace("context.inStore.zoneId == 'electronics'", "'electronics'", true)])],
        Outstanding = [new SentTrigger("t-1", "cart-in-store", TriggerChannel.Push, 1_000, 3_601_000)],
    };

    /// <summary><see cref="Full"/> as the version before the compact encoding stored it, byte for byte.</summary>
    private const string FullAsStoredInJson =
        """{"lastByRule":{"cart-in-store":1000},"lastByGroup":{"offers":1000},"day":"2026-12-03","sentToday":2,"lastSentMs":1000,"lastSentPriority":80,"sequenceMarks":{"browse-then-visit":900},"timers":[{"ruleId":"dwell-electronics","kind":"Dwell","dueMs":5000,"source":{"topic":"c360.beacon.v1","partition":2,"offset":41,"eventId":"8c1f1a4e-2b7d-8c3e-9a55-0d4f6e7a8b9c"},"place":"s1/electronics","explanation":[{"condition":"context.inStore.zoneId == \u0027electronics\u0027","actual":"\u0027electronics\u0027","result":true}],"fired":false}],"outstanding":[{"triggerId":"t-1","ruleId":"cart-in-store","channel":"Push","sentMs":1000,"deadlineMs":3601000,"offerId":null,"segment":null}]}""";

    [Fact]
    public void Encode_then_decode_gives_back_every_field_of_any_state()
    {
        TriggerStateGenerators.States.Sample(state =>
        {
            var encoded = TriggerStateEncoding.Encode(state);
            var decoded = TriggerStateEncoding.Decode(encoded);

            AssertSameState(state, decoded);
            Assert.Equal(encoded, TriggerStateEncoding.Encode(decoded));
        }, iter: 2_000);
    }

    [Fact]
    public void A_state_encodes_to_the_same_bytes_whatever_the_thread_encoded_before()
    {
        // The writer is the context encoding's, reused per thread: nothing of the value before may show in the next.
        Gen.Select(ContextGenerators.Contexts, TriggerStateGenerators.States).Sample((context, state) =>
        {
            var onAFreshThread = FreshThread.Run(() => TriggerStateEncoding.Encode(state));

            ContextState.Encode(context);

            Assert.Equal(onAFreshThread, TriggerStateEncoding.Encode(state));
        }, iter: 300);
    }

    [Fact]
    public void A_state_with_every_field_set_survives_the_round_trip_so_a_new_field_cannot_be_forgotten()
    {
        var full = EveryFieldSet.Of<TriggerState>();

        var decoded = TriggerStateEncoding.Decode(TriggerStateEncoding.Encode(full));

        // Reflection-based JSON of every public property, nested ones included, so a field added later is compared too.
        Assert.Equal(JsonSerializer.Serialize(full), JsonSerializer.Serialize(decoded));
        Assert.DoesNotContain(":null", JsonSerializer.Serialize(full), StringComparison.Ordinal);
    }

    [Fact]
    public void State_stored_as_json_by_an_earlier_version_still_reads_with_every_field()
    {
        AssertSameState(Full, TriggerStateEncoding.Decode(Encoding.UTF8.GetBytes(FullAsStoredInJson)));
    }

    [Fact]
    public void Json_state_written_before_timers_and_responses_existed_still_reads()
    {
        var old = """{"lastByRule":{"cart-in-store":1000},"lastByGroup":{},"day":"2026-12-03","sentToday":1,"lastSentMs":1000,"lastSentPriority":80}""";

        var decoded = TriggerStateEncoding.Decode(Encoding.UTF8.GetBytes(old));

        Assert.Equal(1_000, decoded.LastByRule["cart-in-store"]);
        Assert.Empty(decoded.Timers);
        Assert.Empty(decoded.Outstanding);
        Assert.Empty(decoded.SequenceMarks);
    }

    [Fact]
    public void A_state_takes_under_a_third_of_the_bytes_its_json_took()
    {
        var encoded = TriggerStateEncoding.Encode(Full);

        Assert.Equal(TriggerStateEncoding.Format1, encoded[0]);
        Assert.True(encoded.Length * 3 < Encoding.UTF8.GetByteCount(FullAsStoredInJson), $"{encoded.Length} bytes against the JSON's {Encoding.UTF8.GetByteCount(FullAsStoredInJson)}");
    }

    [Fact]
    public void A_value_of_a_format_this_version_does_not_know_is_refused_naming_the_format()
    {
        var encoded = TriggerStateEncoding.Encode(Full);
        encoded[0] = 2;

        var error = Assert.Throws<InvalidDataException>(() => TriggerStateEncoding.Decode(encoded));

        Assert.Contains("format 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_or_extended_value_is_refused_rather_than_read_as_another_state()
    {
        var encoded = TriggerStateEncoding.Encode(Full);

        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => TriggerStateEncoding.Decode(encoded.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => TriggerStateEncoding.Decode([.. encoded, 0]));
    }

    [Fact]
    public void An_enum_number_this_version_does_not_know_is_refused()
    {
        var state = new TriggerState { Outstanding = [new SentTrigger("t", "r", TriggerChannel.Push, 1, 2)] };
        var encoded = TriggerStateEncoding.Encode(state);
        // The last bytes are the send: ids (two new strings), channel, two times, two null strings. The channel's
        // zig-zag byte sits four bytes from the end.
        Assert.Equal(0, encoded[^5]);
        encoded[^5] = 100;

        var error = Assert.Throws<InvalidDataException>(() => TriggerStateEncoding.Decode(encoded));

        Assert.Contains("channel", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameState(TriggerState expected, TriggerState actual)
    {
        Assert.Equal(expected.LastByRule, actual.LastByRule);
        Assert.Equal(expected.LastByGroup, actual.LastByGroup);
        Assert.Equal((expected.Day, expected.SentToday, expected.LastSentMs, expected.LastSentPriority), (actual.Day, actual.SentToday, actual.LastSentMs, actual.LastSentPriority));
        Assert.Equal(expected.SequenceMarks, actual.SequenceMarks);
        Assert.Equal(expected.Timers.Select(t => t with { Explanation = [] }), actual.Timers.Select(t => t with { Explanation = [] }));
        Assert.Equal(expected.Timers.SelectMany(t => t.Explanation.Append(new ConditionTrace("|", "|", null))), actual.Timers.SelectMany(t => t.Explanation.Append(new ConditionTrace("|", "|", null))));
        Assert.Equal(expected.Outstanding, actual.Outstanding);
    }
}
