using System.Collections.Immutable;
using System.Text;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Tests.Triggers;

/// <summary>
/// A customer's trigger state as the trigger-history store keeps it: a round trip keeps every field, and state
/// written before its timers and pending responses existed still reads.
/// </summary>
public sealed class TriggerStateJsonTests
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

    [Fact]
    public void A_RoundTrip_KeepsEveryField()
    {
        var decoded = TriggerStateJson.Decode(TriggerStateJson.Encode(Full));

        Assert.Equal(Full.LastByRule, decoded.LastByRule);
        Assert.Equal(Full.LastByGroup, decoded.LastByGroup);
        Assert.Equal((Full.Day, Full.SentToday, Full.LastSentMs, Full.LastSentPriority), (decoded.Day, decoded.SentToday, decoded.LastSentMs, decoded.LastSentPriority));
        Assert.Equal(Full.SequenceMarks, decoded.SequenceMarks);
        Assert.Equal(Full.Timers[0] with { Explanation = [] }, decoded.Timers[0] with { Explanation = [] });
        Assert.Equal(Full.Timers[0].Explanation, decoded.Timers[0].Explanation);
        Assert.Equal(Full.Outstanding, decoded.Outstanding);
    }

    [Fact]
    public void StateWrittenBeforeTimersAndResponses_StillReads()
    {
        var old = """{"lastByRule":{"cart-in-store":1000},"lastByGroup":{},"day":"2026-12-03","sentToday":1,"lastSentMs":1000,"lastSentPriority":80}""";

        var decoded = TriggerStateJson.Decode(Encoding.UTF8.GetBytes(old));

        Assert.Equal(1_000, decoded.LastByRule["cart-in-store"]);
        Assert.Empty(decoded.Timers);
        Assert.Empty(decoded.Outstanding);
        Assert.Empty(decoded.SequenceMarks);
    }

    [Fact]
    public void EnumsAreWrittenByName_AndKeysInCamelCase()
    {
        var json = Encoding.UTF8.GetString(TriggerStateJson.Encode(Full));

        Assert.Contains("\"kind\":\"Dwell\"", json, StringComparison.Ordinal);
        Assert.Contains("\"channel\":\"Push\"", json, StringComparison.Ordinal);
        Assert.Contains("\"lastSentPriority\":80", json, StringComparison.Ordinal);
    }
}
