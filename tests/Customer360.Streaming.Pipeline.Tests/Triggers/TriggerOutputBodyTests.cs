using Avro;
using Avro.Generic;
using Avro.IO;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>
/// Trigger-stage outputs written field by field must be the bytes of the records <see cref="TriggerRecordWriter"/>
/// builds: a consumer of the trigger, decision, store-event or segment topic cannot tell which path wrote them.
/// </summary>
public sealed class TriggerOutputBodyTests
{
    private static readonly TriggerRecordWriter RecordWriter = new(SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas")));
    private static readonly RuleSet Shipped = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));

    [Fact]
    public void Every_shipped_rule_writes_its_triggers_and_decisions_as_the_same_bytes_as_their_records()
    {
        var random = new Random(11);
        var written = 0;
        foreach (var rule in Shipped.Rules)
        {
            for (var i = 0; i < 40; i++)
            {
                var fired = Fired(rule, random);
                var decision = Decision(fired, random);

                Assert.Equal(RecordBytes(RecordWriter.TriggerSchema, RecordWriter.Trigger(fired)), BodyBytes(fired, TriggerOutputBody.WriteTrigger));
                Assert.Equal(RecordBytes(RecordWriter.DecisionSchema, RecordWriter.Decision(decision)), BodyBytes(decision, TriggerOutputBody.WriteDecision));
                written++;
            }
        }

        Assert.Equal(Shipped.Rules.Count * 40, written);
    }

    [Fact]
    public void Every_suppression_reason_and_policy_is_written_as_its_records_symbol()
    {
        var rule = Shipped.Rules.Single(r => r.Id == "next-best-offer");
        var random = new Random(3);
        foreach (var reason in Enum.GetValues<SuppressionReason>().Cast<SuppressionReason?>().Append(null))
        {
            foreach (var policy in Enum.GetValues<DecisionPolicy>())
            {
                var fired = Fired(rule, random) with { Offer = Choice(rule, random) with { Policy = policy } };
                var decision = Decision(fired, random) with { Suppressed = reason };

                Assert.Equal(RecordBytes(RecordWriter.DecisionSchema, RecordWriter.Decision(decision)), BodyBytes(decision, TriggerOutputBody.WriteDecision));
            }
        }
    }

    [Fact]
    public void Store_events_and_segment_changes_of_the_simulators_contexts_are_written_as_the_same_bytes_as_their_records()
    {
        // The simulator's customers all have a profile; a visitor not yet known has none.
        List<CustomerContext> contexts = [.. PipelineHarness.Simulated(300, seed: 7, events: 6_000).StoredContexts().Select(s => ContextState.Decode(s)), CustomerContext.Empty("anon-ä€")];
        var random = new Random(13);
        string[] types = ["CUSTOMER_ENTERED", "CUSTOMER_LEFT", "CUSTOMER_DWELLING", "ASSOCIATE_ASSIST"];

        foreach (var context in contexts)
        {
            var source = new SourceRef("c360.beacon.v1", random.Next(6), random.NextInt64(0, 1L << 30), Guid.NewGuid());
            var storeEvent = new StoreEventFields(
                Guid.NewGuid(), 1_790_000_000_000 + random.Next(), "berlin-mitte", random.Next(2) == 0 ? null : "electronics", types[random.Next(types.Length)],
                context, random.Next(2) == 0 ? null : random.Next(), random.Next(2) == 0 ? null : $"t-{random.Next()}", source);
            var change = new SegmentChange(random.Next(2) == 0 ? "vip" : "bargain-hunter", random.Next(2) == 0, 1_790_000_000_000 + random.Next(), 1_789_000_000_000 + random.Next());
            var segmentChange = new SegmentChangeFields(context.ContextId, change, context.Version);

            Assert.Equal(RecordBytes(RecordWriter.StoreEventSchema, RecordWriter.StoreEvent(storeEvent)), BodyBytes(storeEvent, TriggerOutputBody.WriteStoreEvent));
            Assert.Equal(
                RecordBytes(RecordWriter.SegmentChangeSchema, RecordWriter.SegmentChange(context.ContextId, change, context.Version)),
                BodyBytes(segmentChange, TriggerOutputBody.WriteSegmentChange));
        }

        // The contexts took each branch of the store event's summary.
        Assert.Contains(contexts, c => c.Relationship is null);
        Assert.Contains(contexts, c => c.Relationship is { PreferredCategories.Count: > 0 });
        Assert.Contains(contexts, c => c.Web.CartValue > 0);
        Assert.Contains(contexts, c => c.Web.CartValue == 0);
    }

    [Fact]
    public void The_codec_frames_a_written_body_as_it_frames_the_record()
    {
        var h = PipelineHarness.Simulated(20, seed: 2, events: 10);
        var fired = Fired(Shipped.Rules[0], new Random(5));

        Assert.Equal(
            h.Codec.Encode(RecordWriter.Trigger(fired), PipelineHarness.Names.Triggers),
            h.Codec.EncodeBody(RecordWriter.TriggerSchema, PipelineHarness.Names.Triggers, fired, TriggerOutputBody.WriteTrigger));
    }

    [Fact]
    public void The_shipped_contracts_have_the_known_layouts_and_another_layout_is_left_to_the_record_path()
    {
        var decision = RecordWriter.DecisionSchema.ToString();
        var trigger = RecordWriter.TriggerSchema.ToString();
        var withAReason = decision.Replace("\"NO_ELIGIBLE_OFFER\"", "\"NO_ELIGIBLE_OFFER\",\"BUDGET\"", StringComparison.Ordinal);
        var withAnotherScale = trigger.Replace("\"scale\":2", "\"scale\":3", StringComparison.Ordinal);

        Assert.True(TriggerOutputBody.WritesDecision(RecordWriter.DecisionSchema));
        Assert.True(TriggerOutputBody.WritesTrigger(RecordWriter.TriggerSchema));
        Assert.True(TriggerOutputBody.WritesStoreEvent(RecordWriter.StoreEventSchema));
        Assert.True(TriggerOutputBody.WritesSegmentChange(RecordWriter.SegmentChangeSchema));
        Assert.NotEqual(decision, withAReason);
        Assert.False(TriggerOutputBody.WritesDecision((RecordSchema)Schema.Parse(withAReason)));
        Assert.NotEqual(trigger, withAnotherScale);
        Assert.False(TriggerOutputBody.WritesTrigger((RecordSchema)Schema.Parse(withAnotherScale)));
    }

    /// <summary>A trigger of <paramref name="rule"/> with each optional part present or not, and text beyond ASCII.</summary>
    private static FiredTrigger Fired(TriggerRule rule, Random random)
    {
        var context = CustomerContext.Empty(random.Next(3) == 0 ? "kunde-ä€😀" : $"c-{random.Next(10_000)}") with { Version = random.NextInt64(0, long.MaxValue) };
        ConditionTrace[] explanation = [.. Enumerable.Range(0, random.Next(4)).Select(i => new ConditionTrace($"context.x > {i}", $"{random.Next()}", random.Next(3) switch { 0 => true, 1 => false, _ => null }))];
        var source = new SourceRef($"c360.topic-{random.Next(5)}", random.Next(12), random.NextInt64(0, 1L << 40), Guid.NewGuid());
        var created = 1_790_000_000_000 + random.NextInt64(0, 86_400_000);
        return new FiredTrigger($"t-{Guid.NewGuid():N}", rule, context, created, explanation, source) { Offer = rule.Offers.Count > 0 && random.Next(4) > 0 ? Choice(rule, random) : null };
    }

    private static OfferChoice Choice(TriggerRule rule, Random random)
    {
        var offers = rule.Offers.OrderBy(_ => random.Next()).ToList();
        OfferCandidate[] candidates = [.. offers.Skip(random.Next(2)).Select(o =>
            new OfferCandidate(o.Id, o.Channel, o.Value + (random.Next(1_000) / 1000m), random.NextDouble(), random.NextDouble(), random.NextDouble() * 10))];
        var chosen = offers.First(o => candidates.Length == 0 || o.Id == candidates[0].OfferId);
        return new OfferChoice(
            chosen, random.Next(2) == 0 ? "none" : "vip", "all", "2026-12-05", (DecisionPolicy)random.Next(4), random.Next(2) == 0, candidates,
            [.. offers.Take(random.Next(3)).Select(o => $"{o.Id}: not eligible")], "highest sampled acceptance x value");
    }

    private static TriggerDecision Decision(FiredTrigger fired, Random random)
    {
        var suppressed = random.Next(3) == 0 ? null : (SuppressionReason?)random.Next(Enum.GetValues<SuppressionReason>().Length);
        return new TriggerDecision(
            "d-" + fired.TriggerId, fired.Rule, fired.Context.ContextId, fired.CreatedMs, suppressed, random.Next(2) == 0 ? "" : "cooldown until 12:00",
            fired.Explanation, suppressed is null ? fired.TriggerId : null, fired.Source) { Offer = fired.Offer };
    }

    private static byte[] RecordBytes(RecordSchema schema, GenericRecord record)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static byte[] BodyBytes<T>(T value, Action<T, Encoder> write)
    {
        using var stream = new MemoryStream();
        write(value, new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
