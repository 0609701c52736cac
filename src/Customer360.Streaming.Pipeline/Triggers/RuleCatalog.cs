using System.Globalization;
using System.Text.RegularExpressions;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// Loads <c>topology/triggers.yaml</c> with the segments and offers beside it (<see cref="RuleSources"/>): every rule
/// compiled and checked, the files rejected as a whole with every error listed (file, rule, field, and the column
/// inside a condition or the line and column of an unknown offer).
/// </summary>
public static partial class RuleCatalog
{
    public const string FileName = "triggers.yaml";

    private static readonly string[] Kinds = ["click", "app", "location", "beacon", "relationship"];

    /// <summary>A century: longer than any cooldown or window means, and far from where time arithmetic overflows.</summary>
    private static readonly TimeSpan LongestDuration = TimeSpan.FromDays(36_500);

    public static RuleSet Load(string path) => Parse(RuleSources.Read(path));

    /// <summary>The rules alone, without segments or offers (a rule naming one does not load).</summary>
    public static RuleSet Parse(string yaml, string sourceName) => Parse(new RuleSources(sourceName, yaml, null, null));

    public static RuleSet Parse(RuleSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var segments = sources.Segments is { } segmentsYaml ? SegmentCatalog.Parse(segmentsYaml, sources.SegmentsPath) : [];
        var segmentNames = segments.Select(s => s.Name).ToList();
        var offers = sources.Offers is { } offersYaml ? OfferCatalog.Parse(offersYaml, sources.OffersPath, segmentNames) : [];
        var offersById = offers.ToDictionary(o => o.Id, StringComparer.Ordinal);
        var compiler = new RuleCompiler<RuleScope>(RuleVariables.WithSegments(segmentNames));
        var (yaml, sourceName) = (sources.Rules, sources.RulesPath);
        var document = YamlCatalog.Parse<RulesDocument>(yaml, sourceName);

        var errors = new List<string>();
        var rules = new List<TriggerRule>();
        var entries = document?.Rules ?? [];
        if (entries.Count == 0)
        {
            errors.Add("declares no rules (expected a 'rules:' list)");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var where = CatalogNames.Entry("rules", i, e.Id);
            void Error(string field, string message) => errors.Add($"{where}: '{field}': {message}");

            if (!CatalogNames.IsValid(e.Id))
            {
                Error("id", "is required: lowercase letters, digits and '-'");
            }
            else if (!ids.Add(e.Id))
            {
                Error("id", "is declared twice");
            }

            if (e.Version < 1)
            {
                Error("version", "must be 1 or more");
            }

            if (string.IsNullOrWhiteSpace(e.Description))
            {
                Error("description", "is required (it explains the trigger to whoever receives it)");
            }

            if (e.On.Count == 0)
            {
                Error("on", "must name at least one event (click, app, location, beacon, relationship, or kind.action such as beacon.enter)");
            }

            Patterns(e.On, "on", Error);
            var (sequence, absence, dwell) = Temporal(e, Error);

            CompiledCondition<RuleScope>? condition = null;
            try
            {
                condition = compiler.Compile(e.When ?? string.Empty);
            }
            catch (RuleSyntaxException ex)
            {
                Error("when", ex.Message);
            }

            if (!EnumNames.TryParseName<TriggerChannel>(e.Channel, out var channel))
            {
                Error("channel", $"must be one of push, email, sms, inApp, store (was '{e.Channel}')");
            }

            if (e.Priority is < 0 or > 100)
            {
                Error("priority", "must be between 0 and 100");
            }

            var expiry = Duration(e.Expiry, "expiry", required: true, Error);
            var cooldown = Duration(e.Cooldown, "cooldown", required: true, Error);
            var groupCooldown = Duration(e.GroupCooldown, "groupCooldown", required: false, Error);
            var maxEventAge = Duration(e.MaxEventAge, "maxEventAge", required: false, Error);
            if ((e.Group is null) != (groupCooldown is null))
            {
                Error("groupCooldown", "'group' and 'groupCooldown' go together");
            }

            if (string.IsNullOrWhiteSpace(e.Topic))
            {
                Error("topic", "is required (the topic the trigger is written to)");
            }

            TimeSpan? fatigueBackOff = null;
            if (e.Fatigue is { } fatigue)
            {
                if (fatigue.AfterIgnored is < 0)
                {
                    Error("fatigue.afterIgnored", "must be 0 (off) or more");
                }

                fatigueBackOff = Duration(fatigue.BackOff, "fatigue.backOff", required: false, Error);
            }

            var ruleOffers = new List<OfferDefinition>();
            for (var j = 0; j < e.Offers.Count; j++)
            {
                if (offersById.TryGetValue(e.Offers[j], out var offer))
                {
                    ruleOffers.Add(offer);
                }
                else
                {
                    var known = offers.Count == 0 ? $"{RuleSources.OffersFileName} declares none" : "known: " + string.Join(", ", offers.Select(o => o.Id));
                    Error("offers", $"{YamlPositions.Describe(yaml, i, "offers", j)}unknown offer '{e.Offers[j]}' ({known})");
                }
            }

            if (ruleOffers.Count != ruleOffers.Distinct().Count())
            {
                Error("offers", "names an offer twice");
            }

            if (condition is not null && expiry is not null && cooldown is not null)
            {
                var hygiene = new HygieneRule(e.Id!, channel, e.Priority, cooldown.Value, e.Group, groupCooldown, maxEventAge, e.QuietHours)
                {
                    FatigueAfterIgnored = e.Fatigue?.AfterIgnored,
                    FatigueBackOff = fatigueBackOff,
                };
                // The condition by its tokens, so re-wrapping or re-spacing it does not count as a new definition.
                e.When = condition.Canonical;
                rules.Add(new TriggerRule(e.Id!, e.Version, e.Description ?? string.Empty, [.. e.On], condition, hygiene, expiry.Value, e.Topic ?? string.Empty)
                {
                    Sequence = sequence,
                    Absence = absence,
                    Dwell = dwell,
                    Offers = ruleOffers,
                    Definition = YamlCatalog.Canonical(e),
                });
            }
        }

        YamlCatalog.ThrowIfInvalid(errors, sourceName);
        return new RuleSet([.. rules.OrderBy(r => r.Id, StringComparer.Ordinal)], sourceName) { Segments = segments, Offers = offers };
    }

    private static void Patterns(IReadOnlyList<string> patterns, string field, Action<string, string> error)
    {
        foreach (var pattern in patterns.Where(p => !Kinds.Contains(p.Split('.')[0])))
        {
            error(field, $"'{pattern}' is not an event kind ({string.Join(", ", Kinds)})");
        }
    }

    /// <summary>The temporal part of a rule: a sequence, an absence or a dwell (one at most).</summary>
    private static (SequenceSpec?, AbsenceSpec?, DwellSpec?) Temporal(RuleEntry e, Action<string, string> error)
    {
        if ((e.Sequence is null ? 0 : 1) + (e.Absence is null ? 0 : 1) + (e.Dwell is null ? 0 : 1) > 1)
        {
            error("sequence", "a rule has at most one of 'sequence', 'absence' and 'dwell'");
            return (null, null, null);
        }

        var sequence = e.Sequence is { } s && EventsWithin(s.After, s.Within, "sequence.after", "sequence.within", "the event(s) that come first, e.g. [app.push_opened]", error) is (var after, var afterWithin)
            ? new SequenceSpec(after, afterWithin)
            : null;
        var absence = e.Absence is { } a && EventsWithin(a.Of, a.Within, "absence.of", "absence.within", "the event(s) whose absence fires the rule, e.g. [click.add_to_cart]", error) is (var of, var ofWithin)
            ? new AbsenceSpec(of, ofWithin)
            : null;

        DwellSpec? dwell = null;
        if (e.Dwell is { } d)
        {
            var place = d.In switch
            {
                "zone" => DwellPlace.Zone,
                "store" => DwellPlace.Store,
                "nearStore" => DwellPlace.NearStore,
                _ => (DwellPlace?)null,
            };
            if (place is null)
            {
                error("dwell.in", $"must be zone, store or nearStore (was '{d.In}')");
            }

            var length = Positive(Duration(d.For, "dwell.for", required: true, error), "dwell.for", error);
            dwell = place is { } p && length is { } l ? new DwellSpec(p, l) : null;
        }

        return (sequence, absence, dwell);
    }

    /// <summary>A list of event patterns and a positive time, as sequences and absences name them; null when invalid.</summary>
    private static (IReadOnlyList<string> Events, TimeSpan Within)? EventsWithin(
        List<string> events, string? within, string eventsField, string withinField, string what, Action<string, string> error)
    {
        if (events.Count == 0)
        {
            error(eventsField, $"must name {what}");
        }

        Patterns(events, eventsField, error);
        return Positive(Duration(within, withinField, required: true, error), withinField, error) is { } time && events.Count > 0 ? ([.. events], time) : null;
    }

    private static TimeSpan? Positive(TimeSpan? duration, string field, Action<string, string> error)
    {
        if (duration is { } d && d <= TimeSpan.Zero)
        {
            error(field, "must be longer than zero");
            return null;
        }

        return duration;
    }

    /// <summary>A duration like <c>30s</c>, <c>15m</c>, <c>24h</c>, <c>7d</c>.</summary>
    private static TimeSpan? Duration(string? text, string field, bool required, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                error(field, "is required, e.g. 30m, 24h or 7d");
            }

            return null;
        }

        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            error(field, $"'{text}' is not a duration such as 500ms, 30s, 15m, 24h or 7d");
            return null;
        }

        var unit = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(1),
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        var milliseconds = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * unit.TotalMilliseconds;
        if (milliseconds > LongestDuration.TotalMilliseconds)
        {
            error(field, $"'{text}' is too long (at most {LongestDuration.TotalDays:0}d)");
            return null;
        }

        return TimeSpan.FromMilliseconds(milliseconds);
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)$")]
    private static partial Regex DurationPattern();

    private sealed class RulesDocument
    {
        // "key: ~" in YAML sets a list to null; it reads as empty, which the validation reports.
        public List<RuleEntry> Rules { get; set => field = value ?? []; } = [];
    }

    private sealed class RuleEntry
    {
        public string? Id { get; set; }

        public int Version { get; set; }

        public string? Description { get; set; }

        public List<string> On { get; set => field = value ?? []; } = [];

        public string? When { get; set; }

        public string? Channel { get; set; }

        public int Priority { get; set; }

        public string? Expiry { get; set; }

        public string? Cooldown { get; set; }

        public string? Group { get; set; }

        public string? GroupCooldown { get; set; }

        public string? MaxEventAge { get; set; }

        public bool QuietHours { get; set; } = true;

        public string? Topic { get; set; }

        public SequenceEntry? Sequence { get; set; }

        public AbsenceEntry? Absence { get; set; }

        public DwellEntry? Dwell { get; set; }

        public FatigueEntry? Fatigue { get; set; }

        public List<string> Offers { get; set => field = value ?? []; } = [];
    }

    private sealed class SequenceEntry
    {
        public List<string> After { get; set => field = value ?? []; } = [];

        public string? Within { get; set; }
    }

    private sealed class AbsenceEntry
    {
        public List<string> Of { get; set => field = value ?? []; } = [];

        public string? Within { get; set; }
    }

    private sealed class DwellEntry
    {
        public string? In { get; set; }

        public string? For { get; set; }
    }

    private sealed class FatigueEntry
    {
        public int? AfterIgnored { get; set; }

        public string? BackOff { get; set; }
    }
}
