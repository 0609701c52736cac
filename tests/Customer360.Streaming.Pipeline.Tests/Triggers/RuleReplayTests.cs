using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

public sealed class RuleReplayTests
{
    private static readonly string ShippedYaml = File.ReadAllText(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static readonly RuleSources ShippedSources = RuleSources.Read(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static readonly RuleSet Shipped = RuleCatalog.Parse(ShippedSources);
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private static readonly TopicCatalog Topics = TopicCatalog.Load(RepositoryLayout.TopicsFile);
    private static readonly ReplaySetup Setup = new(
        "c360", Topics, Contracts, StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml")), new ContextSettings(), new IdentitySettings(), new HygieneSettings());

    [Fact]
    public void Replaying_an_events_file_yields_the_journeys_triggers_including_one_fired_by_a_timer()
    {
        var inputs = FromFile(ScriptedJourney.Records("c-1", dwellSightings: 3));

        var result = RuleReplay.Run(Shipped, inputs, Setup, new InProcessSchemaRegistry());

        Assert.Equal(inputs.Count, result.Records);
        Assert.Equal(0, result.DeadLetters);
        Assert.Equal(
            ["near-home-store-offer", "cart-reminder-in-store", "zone-dwell-assist"],
            result.Decisions.Where(d => d.Fired).Select(d => d.RuleId));
        // Three sightings stop short of three minutes: the drain's timer fired the dwell, at its due time.
        var dwell = result.Decisions.Single(d => d.RuleId == "zone-dwell-assist");
        Assert.Equal(ScriptedJourney.T0 + 190_000 + 180_000, dwell.TimeMs);
    }

    [Fact]
    public void The_diff_names_the_triggers_gained_lost_and_changed_and_nothing_for_the_same_rules()
    {
        var inputs = FromFile([.. ScriptedJourney.Records("c-1"), .. ScriptedJourney.Records("c-2", ScriptedJourney.T0 + 3_600_000)]);
        var edited = RuleCatalog.Parse(ShippedSources with
        {
            RulesPath = "edited.yaml",
            Rules = ShippedYaml
                .Replace("when: >-\n      context.cart.value > 0", "when: >-\n      context.cart.value > 500", StringComparison.Ordinal)
                .Replace("dwell: {in: zone, for: 3m}", "dwell: {in: zone, for: 4m}", StringComparison.Ordinal)
                .Replace("id: welcome-back", "id: arrival-hello", StringComparison.Ordinal)
                .Replace("priority: 30", "priority: 95", StringComparison.Ordinal)
                .Replace("on: [app.app_open]\n    when: before.app.lastOpenAgo >= 30d and relationship.consent.inApp", "on: [beacon.enter]\n    when: relationship.consent.inApp", StringComparison.Ordinal),
        });

        var current = RuleReplay.Run(Shipped, inputs, Setup, new InProcessSchemaRegistry());
        var diff = RuleReplay.Diff(current, RuleReplay.Run(edited, inputs, Setup, new InProcessSchemaRegistry()));

        Assert.Equal(["arrival-hello", "arrival-hello"], diff.Gained.Select(d => d.RuleId));
        Assert.Equal(["cart-reminder-in-store", "cart-reminder-in-store"], diff.Lost.Select(l => l.Current.RuleId));
        Assert.All(diff.Lost, l => Assert.Null(l.New));
        var changed = diff.Changed.Select(c => (c.Current.RuleId, c.New.TimeMs - c.Current.TimeMs)).ToList();
        Assert.Equal([("zone-dwell-assist", 50_000L), ("zone-dwell-assist", 50_000L)], changed);
        Assert.Equal(2, diff.Same);

        var unchanged = RuleReplay.Diff(current, RuleReplay.Run(Shipped, inputs, Setup, new InProcessSchemaRegistry()));
        Assert.True(unchanged.IsEmpty);
        Assert.Equal(current.Decisions.Count(d => d.Fired), unchanged.Same);
    }

    [Fact]
    public void Unreadable_lines_of_an_events_file_are_reported_by_number_and_the_rest_are_read()
    {
        var lines = ScriptedJourney.ToJsonLines(ScriptedJourney.Records("c-1"), Contracts).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        lines.Insert(2, """{"topic": "c360.clickstream.v1", "key": "web:x", "value": {"eventId": 42}}""");
        lines.Insert(4, """{"topic": "c360.nowhere.v1", "value": {}}""");
        lines.Insert(6, "not json");
        lines.Insert(8, "[1, 2, 3]");
        lines.Insert(10, new string('[', 65) + new string(']', 65));

        var (records, errors) = AvroJsonLines.Read(new StringReader(string.Join('\n', lines)), Setup.ContractOf);

        Assert.Equal(lines.Count - 5, records.Count);
        Assert.Equal([3, 5, 7, 9, 11], errors.Select(e => e.Line));
        Assert.Contains("topic 'c360.nowhere.v1' has no contract", errors[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("42", errors[0].Reason, StringComparison.Ordinal);
        // Said as what they are, not as values that do not match their topic's contract.
        Assert.Equal("not JSON", errors[2].Reason);
        Assert.Equal("not a JSON object ({\"topic\": …, \"key\": …, \"timestamp\": …, \"value\": {…}})", errors[3].Reason);
        Assert.Equal("JSON nested deeper than 64 levels", errors[4].Reason);
    }

    /// <summary>The journey through an events file and back: what <c>c360 rules test --events FILE</c> replays.</summary>
    private static List<ReplayInput> FromFile(List<JourneyRecord> records)
    {
        var (read, errors) = AvroJsonLines.Read(new StringReader(ScriptedJourney.ToJsonLines(records, Contracts)), Setup.ContractOf);
        Assert.Empty(errors);
        return [.. read.Select(r => new ReplayInput(r.Topic, r.Key, r.Value, r.TimestampMs))];
    }
}
