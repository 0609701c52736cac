using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

public sealed class RuleFileReloaderTests : IDisposable
{
    private static readonly RuleSources ShippedSources = RuleSources.Read(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static readonly string Shipped = ShippedSources.Rules;
    private readonly string _folder = CopyOfShippedCatalogs();
    private readonly RecordingLogger _log = new();

    private string RuleFile => Path.Combine(_folder, RuleCatalog.FileName);

    [Fact]
    public void A_valid_change_replaces_the_rule_set_whole_and_an_invalid_one_keeps_it_and_says_why()
    {
        File.WriteAllText(RuleFile, Shipped);
        var live = new LiveRuleSet(RuleCatalog.Load(RuleFile));
        var reloader = new RuleFileReloader(RuleFile, live, ProductTopicNames.Default, new PipelineMetrics(), _log);
        var original = live.Current;
        Assert.Equal(ReloadOutcome.Unchanged, reloader.CheckOnce());

        File.WriteAllText(RuleFile, Shipped.Replace("id: welcome-back\n    version: 1", "id: welcome-back\n    version: 2", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Applied, reloader.CheckOnce());
        Assert.Equal(2, live.Current.Rules.Single(r => r.Id == "welcome-back").Version);
        Assert.Equal(original.Rules.Count, live.Current.Rules.Count);
        var applied = live.Current;

        File.WriteAllText(RuleFile, Shipped.Replace("channel: push", "channel: pigeon", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Rejected, reloader.CheckOnce());
        Assert.Same(applied, live.Current);
        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error).Message;
        Assert.Contains("rejected, the 8 rules in force stay", error, StringComparison.Ordinal);
        Assert.Contains("'cart-reminder-in-store': 'channel': must be one of push", error, StringComparison.Ordinal);

        // The same bad content is reported once, not on every check.
        Assert.Equal(ReloadOutcome.Unchanged, reloader.CheckOnce());
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public void A_rule_changed_under_the_version_it_had_is_applied_with_a_warning_that_names_it()
    {
        // Decisions and trigger ids name a rule by id and version: two definitions under one version cannot be told apart.
        File.WriteAllText(RuleFile, Shipped);
        var live = new LiveRuleSet(RuleCatalog.Load(RuleFile));
        var reloader = new RuleFileReloader(RuleFile, live, ProductTopicNames.Default, new PipelineMetrics(), _log);
        const string CartCooldown = "cooldown: 24h\n    group: cart";
        Assert.Equal(2, Shipped.Split(CartCooldown).Length);

        // Spacing inside a condition and a comment are layout, not a change of the rule.
        var respaced = Shipped.Replace("value > 0 and context.cart", "value >  0  and   context.cart", StringComparison.Ordinal) + "# reviewed\n";
        Assert.NotEqual(Shipped, respaced);
        File.WriteAllText(RuleFile, respaced);
        Assert.Equal(ReloadOutcome.Applied, reloader.CheckOnce());
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);

        File.WriteAllText(RuleFile, respaced.Replace(CartCooldown, "cooldown: 12h\n    group: cart", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Applied, reloader.CheckOnce());
        Assert.Equal(TimeSpan.FromHours(12), live.Current.Rules.Single(r => r.Id == "cart-reminder-in-store").Hygiene.Cooldown);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning).Message;
        Assert.Contains("cart-reminder-in-store v1", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("welcome-back", warning, StringComparison.Ordinal);

        // The same definition under a new version is how a rule should change.
        File.WriteAllText(RuleFile, Shipped.Replace("id: cart-reminder-in-store\n    version: 1", "id: cart-reminder-in-store\n    version: 2", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Applied, reloader.CheckOnce());
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public void A_missing_file_or_a_rule_for_a_topic_without_a_sink_is_rejected()
    {
        File.WriteAllText(RuleFile, Shipped);
        var live = new LiveRuleSet(RuleCatalog.Load(RuleFile));
        var reloader = new RuleFileReloader(RuleFile, live, ProductTopicNames.Default, new PipelineMetrics(), _log);
        var original = live.Current;

        File.Delete(RuleFile);
        Assert.Equal(ReloadOutcome.Rejected, reloader.CheckOnce());
        Assert.Equal(ReloadOutcome.Unchanged, reloader.CheckOnce());

        File.WriteAllText(RuleFile, Shipped.Replace("topic: c360.store-events.v1", "topic: c360.somewhere.v1", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Rejected, reloader.CheckOnce());
        Assert.Contains(_log.Entries, e => e.Message.Contains("high-value-arrival -> c360.somewhere.v1", StringComparison.Ordinal));
        Assert.Same(original, live.Current);
    }

    [Fact]
    public void A_change_to_the_offer_catalog_reloads_the_rules_and_an_invalid_one_keeps_them()
    {
        File.WriteAllText(RuleFile, Shipped);
        var live = new LiveRuleSet(RuleCatalog.Load(RuleFile));
        var reloader = new RuleFileReloader(RuleFile, live, ProductTopicNames.Default, new PipelineMetrics(), _log);
        var offersFile = Path.Combine(_folder, RuleSources.OffersFileName);
        var offers = File.ReadAllText(offersFile);

        File.WriteAllText(offersFile, offers.Replace("perDay: 50", "perDay: 20", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Applied, reloader.CheckOnce());
        Assert.Equal(20, live.Current.Offers.Single(o => o.Id == "store-coffee").Capacity!.PerDay);
        var applied = live.Current;

        // Renaming an offer the rule still names breaks the rule file, so nothing of the change is taken.
        File.WriteAllText(offersFile, offers.Replace("id: free-shipping", "id: free-delivery", StringComparison.Ordinal));
        Assert.Equal(ReloadOutcome.Rejected, reloader.CheckOnce());
        Assert.Same(applied, live.Current);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("unknown offer 'free-shipping'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("expiry: 30m", "expiry: 99999999999d", "'expiry': '99999999999d' is too long")]
    [InlineData("on: [beacon]", "on: [beacon, ~]", "a list item is empty")]
    [InlineData("on: [beacon]", "on: ~", "'on': must name at least one event")]
    public void An_edit_the_rule_compiler_could_not_read_is_rejected_and_the_rules_in_force_stay(string shipped, string edited, string reason)
    {
        // Before, these threw past the reloader, and a processor whose rule file got such an edit stopped.
        File.WriteAllText(RuleFile, Shipped);
        var live = new LiveRuleSet(RuleCatalog.Load(RuleFile));
        var reloader = new RuleFileReloader(RuleFile, live, ProductTopicNames.Default, new PipelineMetrics(), _log);
        var original = live.Current;

        File.WriteAllText(RuleFile, Shipped.Replace(shipped, edited, StringComparison.Ordinal));

        Assert.Equal(ReloadOutcome.Rejected, reloader.CheckOnce());
        Assert.Same(original, live.Current);
        Assert.Contains(reason, Assert.Single(_log.Entries, e => e.Level == LogLevel.Error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_topology_evaluates_with_the_swapped_set_from_the_next_record()
    {
        var withCart = RuleCatalog.Parse(ShippedSources with { RulesPath = "old" });
        var withoutCart = RuleCatalog.Parse(ShippedSources with
        {
            RulesPath = "new",
            Rules = Shipped.Replace("id: cart-reminder-in-store", "id: cart-reminder-renamed", StringComparison.Ordinal),
        });
        var h = new PipelineHarness(rules: withCart);
        h.Profile("c-1", 0);
        h.Link("device:d1", "c-1", 1);
        h.Click("a1", 2_000, ClickType.AddToCart, "tv", 99.90m, customer: "c-1");

        h.Settings.Rules!.Swap(withoutCart);
        h.Beacon("d1", 180_000, "entrance", SightingType.Enter);

        var rules = h.Driver.ReadOutput(PipelineHarness.Names.Triggers)
            .Select(r => new Schemas.Serdes.AvroDeserializer<Avro.Generic.GenericRecord>(h.Registry).Deserialize(r.Value)["ruleId"].ToString()).ToList();
        Assert.Equal(["cart-reminder-renamed"], rules);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A folder with the shipped segment and offer catalogs, which the rules name; each test writes its rule file.</summary>
    private static string CopyOfShippedCatalogs()
    {
        var folder = Directory.CreateTempSubdirectory("c360-rules-").FullName;
        foreach (var name in new[] { RuleSources.SegmentsFileName, RuleSources.OffersFileName })
        {
            File.Copy(Path.Combine(RepositoryLayout.TopologyDirectory, name), Path.Combine(folder, name));
        }

        return folder;
    }
}
