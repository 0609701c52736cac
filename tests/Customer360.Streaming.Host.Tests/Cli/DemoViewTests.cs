using Customer360.Streaming.Host.Web;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Runtime.Processing;
using Spectre.Console;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>What the demo's live view and its plain progress lines show.</summary>
public sealed class DemoViewTests
{
    private static readonly DemoSnapshot Snapshot = new(
        TimeSpan.FromSeconds(35),
        [new ChannelRate("web", 3.4, 4_235), new ChannelRate("gps", 25, 4_007), new ChannelRate("identity", 0, 0)],
        Lag: 12,
        LagSeconds: 1.5,
        ContextsInRedis: 1_000,
        PresentByStore: [new("berlin-mitte", 35), new("hamburg-altona", 0)],
        Fired: 351,
        Suppressed: 85,
        LatestDecisions:
        [
            new ObservedDecision(
                1, "zone-dwell-assist", "cust-00470", true, "NONE", "",
                [new ConditionSeen("relationship.tier in ['GOLD', 'PLATINUM']", "'GOLD'", true), new ConditionSeen("dwell in zone >= 3m", "6m 44s", true)], "t-1"),
            new ObservedDecision(2, "cart-reminder-in-store", "cust-00884", false, "COOLDOWN", "sent 189 s ago, cooldown 86400 s", [], null),
        ],
        Status: "live from now");

    [Theory]
    [InlineData(WorkerPhase.Joining, "joining")]
    [InlineData(WorkerPhase.Restoring, "restoring")]
    [InlineData(WorkerPhase.Rebalancing, "rebalancing")]
    public void While_a_stream_thread_is_not_running_the_lag_is_a_lower_bound_and_the_line_says_why(WorkerPhase phase, string named)
    {
        // A replaced or rebalancing thread's partitions are nobody's for a while: the lag counts only the others.
        var snapshot = Snapshot with { ProcessorPhase = phase };

        Assert.Contains($"| lag at least 12 (1.5 s; processor {named}) |", DemoView.Line(snapshot), StringComparison.Ordinal);
        Assert.Matches($@"consumer lag\s*│\s*at least 12 \(processor {named}\)", RenderedText(snapshot));
    }

    [Fact]
    public void While_processing_waits_on_a_dependency_the_line_and_the_view_say_why_as_readiness_does()
    {
        // A Redis that refused writes (out of memory) held processing for minutes: the lag stood still, and only a
        // warning every 30 s above the progress lines said why.
        const string held = "processing held: Redis did not take a batch of contexts (RedisServerException OOM: Redis is at its maxmemory and refuses writes; raise maxmemory); processing waits and the contexts are re-asserted when it answers";
        var snapshot = Snapshot with { NotReady = held };

        Assert.Contains($"| lag 12 (1.5 s) | not ready: {held} | contexts in Redis 1000 |", DemoView.Line(snapshot), StringComparison.Ordinal);
        Assert.Matches(@"readiness\s*│\s*processing held: Redis did not take", RenderedText(snapshot));
        Assert.Matches(@"readiness\s*│\s*ready", RenderedText(Snapshot));
    }

    [Fact]
    public void While_Redis_does_not_answer_the_line_says_so_where_its_readings_go()
    {
        var line = DemoView.Line(Snapshot with { ContextsInRedis = null, PresentByStore = null });

        Assert.Contains("| contexts in Redis unknown (Redis did not answer in time) | in store unknown (Redis did not answer in time) |", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_line_carries_rates_lag_contexts_presence_totals_and_the_latest_trigger_with_its_reason()
    {
        var line = DemoView.Line(Snapshot);

        Assert.Equal(
            "t=35s events/s web 3, gps 25 | lag 12 (1.5 s) | contexts in Redis 1000 | in store berlin-mitte 35, hamburg-altona 0 "
            + "| triggers 351 fired, 85 held back | latest: zone-dwell-assist for cust-00470: relationship.tier in ['GOLD', 'PLATINUM'] ('GOLD'); dwell in zone >= 3m (6m 44s)",
            line);
    }

    [Fact]
    public void The_live_view_shows_every_panel_and_explanations_with_brackets_verbatim()
    {
        var text = RenderedText(Snapshot);
        Assert.Contains("events consumed", text, StringComparison.Ordinal);
        Assert.Contains("4,235", text, StringComparison.Ordinal);
        Assert.Contains("customers in store", text, StringComparison.Ordinal);
        Assert.Matches(@"berlin-mitte\s*│\s*35", text);
        Assert.Matches(@"contexts in Redis\s*│\s*1,000", text);
        // Rule text is not markup: brackets and quotes come out as the rule wrote them.
        Assert.Contains("relationship.tier in ['GOLD', 'PLATINUM'] ('GOLD')", text, StringComparison.Ordinal);
        Assert.Contains("cooldown", text, StringComparison.Ordinal);
        Assert.Contains("live from now", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decisions_read_from_the_topic_become_one_line_each_fired_with_what_it_saw_held_back_with_why()
    {
        var schema = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas")).Latest("decision-record").Schema;
        var conditionSchema = (RecordSchema)((ArraySchema)((RecordSchema)schema)["explanation"].Schema).ItemSchema;
        GenericRecord Condition(string expression, string actual)
        {
            var condition = new GenericRecord(conditionSchema);
            condition.Add("expression", expression);
            condition.Add("actual", actual);
            condition.Add("passed", true);
            return condition;
        }

        GenericRecord Decision(string outcome, string reason, string detail)
        {
            var record = new GenericRecord(schema);
            record.Add("eventTime", DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000).UtcDateTime);
            record.Add("ruleId", "cart-reminder-in-store");
            record.Add("customerId", "cust-00042");
            record.Add("outcome", new GenericEnum((EnumSchema)schema["outcome"].Schema, outcome));
            record.Add("reason", new GenericEnum((EnumSchema)schema["reason"].Schema, reason));
            record.Add("detail", detail);
            record.Add("explanation", new object[] { Condition("context.cart.value > 0", "84.90"), Condition("context.cart.updatedAgo within 7d", "10m") });
            return record;
        }

        var fired = ObservedDecision.Decode(Decision("FIRED", "NONE", ""));
        var held = ObservedDecision.Decode(Decision("SUPPRESSED", "COOLDOWN", "sent 189 s ago, cooldown 86400 s "));

        Assert.Equal((1_790_000_000_000L, "cart-reminder-in-store", "cust-00042", true, "NONE"), (fired.TimeMs, fired.RuleId, fired.CustomerId, fired.Fired, fired.Reason));
        Assert.Equal("context.cart.value > 0 (84.90); context.cart.updatedAgo within 7d (10m)", fired.Explanation);
        Assert.False(held.Fired);
        Assert.Equal("COOLDOWN", held.Reason);
        Assert.Equal("held back: sent 189 s ago, cooldown 86400 s", held.Explanation);
    }

    /// <summary>The live view of <paramref name="snapshot"/> as plain text, 200 columns wide.</summary>
    private static string RenderedText(DemoSnapshot snapshot)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        console.Write(DemoView.Render(snapshot));
        return output.ToString();
    }
}
