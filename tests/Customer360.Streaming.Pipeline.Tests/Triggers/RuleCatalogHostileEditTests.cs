using System.Text.RegularExpressions;
using CsCheck;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>
/// Whatever a user types into the catalogs of <c>topology/</c>, loading them gives a catalog or a
/// <see cref="TopologyException"/> listing what is wrong. The processor reloads the rule, segment and offer files
/// while it runs, and any other exception would stop it instead of keeping the rules in force; at startup it would be
/// a stack trace instead of a list of what to mend.
/// </summary>
public sealed partial class RuleCatalogHostileEditTests
{
    private static readonly RuleSources Shipped = RuleSources.Read(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));

    /// <summary>Values a slip of the keyboard or a generated file may put where any field's value is.</summary>
    private static readonly string[] HostileValues =
    [
        "", "~", "[]", "{}", "[[]]", "'", "\"", "-1", "0", "1e400", "-1e400", ".nan", ".inf", "99999999999999999999",
        "99999999999d", "99999999999999999999ms", "9999999999h", "1.5d", "0ms", "0.0000001s", "&a", "*a", "!!binary AA==",
        "!!int x", "[push, sms]", "[~]", "[1, ~]", "[[1]]", "{a: 1}", "{in: zone, for: 99999999999d}", "{after: [app], within: 99999999999d}", "\u0000", "\t",
        "2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "'" + new string('(', 400) + "true" + new string(')', 400) + "'",
        new string('x', 5_000), "true", "false", "null",
    ];

    /// <summary>Each catalog of <c>topology/</c> by name, with how the processor loads it.</summary>
    private static readonly (string Name, string Text, Action<string> Load)[] Catalogs =
    [
        (RuleCatalog.FileName, Shipped.Rules, text => RuleCatalog.Parse(Shipped with { Rules = text })),
        (RuleSources.SegmentsFileName, Shipped.Segments!, text => RuleCatalog.Parse(Shipped with { Segments = text })),
        (RuleSources.OffersFileName, Shipped.Offers!, text => RuleCatalog.Parse(Shipped with { Offers = text })),
        ("topics.yaml", File.ReadAllText(RepositoryLayout.TopicsFile), text => TopicCatalog.Parse(text, "topics.yaml")),
        ("stores.yaml", File.ReadAllText(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml")), text => StoreCatalog.Parse(text, "stores.yaml")),
    ];

    [Fact]
    public void Any_value_in_any_field_of_the_catalogs_loads_or_is_reported_as_invalid()
    {
        var fields = Catalogs.Select(catalog => ValueLines().Matches(catalog.Text).Select(m => m.Groups["value"]).ToArray()).ToArray();
        var unexpected = new List<string>();

        Gen.Select(Gen.Int[0, Catalogs.Length - 1], Gen.Int[0, 10_000], Gen.Int[0, HostileValues.Length - 1]).Sample(
            (catalog, field, value) =>
            {
                var (name, text, load) = Catalogs[catalog];
                var at = fields[catalog][field % fields[catalog].Length];
                try
                {
                    load(text[..at.Index] + HostileValues[value] + text[(at.Index + at.Length)..]);
                }
                catch (TopologyException)
                {
                    // Reported as invalid: the reloader keeps the rules in force and logs this message.
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add($"{name}: '{at.Value}' -> '{HostileValues[value]}': {ex.GetType().Name}: {ex.Message}");
                    }
                }
            },
            iter: 4_000);

        Assert.Empty(unexpected);
    }

    [Theory]
    [InlineData(RuleCatalog.FileName, "rules:\n  - ~\n", "line 2: a list item is empty")]
    [InlineData(RuleSources.SegmentsFileName, "segments:\n  - ~\n", "line 2: a list item is empty")]
    [InlineData(RuleSources.OffersFileName, "offers:\n  - ~\n", "line 2: a list item is empty")]
    [InlineData("topics.yaml", "topics:\n  - ~\n", "line 2: a list item is empty")]
    [InlineData("stores.yaml", "stores:\n  - ~\n", "line 2: a list item is empty")]
    [InlineData(RuleCatalog.FileName, "rules: ~", "declares no rules")]
    [InlineData("topics.yaml", "topics: ~", "declares no topics")]
    [InlineData("stores.yaml", "stores: ~", "declares no stores")]
    public void An_empty_list_item_is_reported_with_its_line_and_a_list_given_as_nothing_as_empty(string catalog, string text, string expected)
    {
        var load = Catalogs.Single(c => c.Name == catalog).Load;

        var error = Assert.Throws<TopologyException>(() => load(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_in_one_entry_is_an_error_with_its_line_not_a_silent_choice_of_the_last()
    {
        var rules = Shipped.Rules.Replace("    priority: 80\n", "    priority: 80\n    priority: 10\n", StringComparison.Ordinal);
        var line = rules[..rules.IndexOf("priority: 10", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(Shipped with { Rules = rules }));

        Assert.Contains($"line {line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("priority", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello", "line 1: this value has the wrong shape: a single value")]
    [InlineData("rules: {a: 1}", "line 1: this value has the wrong shape: a 'key: value' mapping where a list belongs")]
    [InlineData("rules:\n  - {id: a, on: {beacon: 1}}", "line 2: this value has the wrong shape: a 'key: value' mapping where a list belongs")]
    [InlineData("rules:\n  - {id: a, wen: 'true'}", "line 2: unknown key 'wen'")]
    [InlineData("rules:\n  - {id: a, priority: 99999999999999999999}", "line 2: the value cannot be read: Value was either too large or too small")]
    public void What_the_parser_cannot_read_is_said_in_the_catalogs_words_not_its_internal_types(string rules, string expected)
    {
        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(Shipped with { Rules = rules }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Customer360.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception during deserialization", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expiry: 30m", "expiry: 99999999999d", "'expiry'")]
    [InlineData("cooldown: 24h", "cooldown: 99999999999999999999ms", "'cooldown'")]
    public void A_duration_too_long_to_represent_is_an_error_naming_the_field(string shipped, string edited, string field)
    {
        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(Shipped with { Rules = Shipped.Rules.Replace(shipped, edited, StringComparison.Ordinal) }));

        Assert.Contains($"{field}: '{edited[(edited.IndexOf(' ', StringComparison.Ordinal) + 1)..]}' is too long", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every <c>key: value</c> line's value (list items included).</summary>
    [GeneratedRegex(@"^\s*(?:- )?[A-Za-z]+: (?<value>\S.*)$", RegexOptions.Multiline)]
    private static partial Regex ValueLines();
}
