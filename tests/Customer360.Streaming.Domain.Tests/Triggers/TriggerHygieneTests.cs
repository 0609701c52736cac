using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain.Tests.Triggers;

public sealed class TriggerHygieneTests
{
    private static readonly HygieneSettings Settings = new() { DailyCap = 2, ArbitrationWindow = TimeSpan.FromMinutes(2) };
    private static readonly HygieneRule CartReminder = new("cart-reminder", TriggerChannel.Push, 50, TimeSpan.FromHours(24), "cart", TimeSpan.FromHours(4), TimeSpan.FromMinutes(5));
    private static readonly HygieneRule CartEmail = new("cart-email", TriggerChannel.Email, 40, TimeSpan.FromHours(24), "cart", TimeSpan.FromHours(4));
    private static readonly HygieneRule ZoneAssist = new("zone-assist", TriggerChannel.Store, 70, TimeSpan.FromMinutes(30), RespectsQuietHours: false);
    private static readonly HygieneRule Welcome = new("welcome-back", TriggerChannel.Push, 30, TimeSpan.FromDays(30));

    /// <summary>2026-07-15 10:00 UTC (12:00 in Berlin, summer time).</summary>
    private static readonly long Summer = new DateTimeOffset(2026, 7, 15, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Consent_is_required_per_channel_and_unknown_consent_fails_closed()
    {
        var noPush = Profile(consent: new Consent(Email: true, Location: true));

        Assert.Equal(SuppressionReason.NoConsent, Single(CartReminder, noPush).Suppressed);
        Assert.True(Single(CartEmail, noPush).Fires);
        Assert.True(Single(ZoneAssist, noPush).Fires);
        Assert.Equal(SuppressionReason.NoConsent, Single(CartEmail, relationship: null).Suppressed);
        Assert.Equal(SuppressionReason.NoConsent, Single(ZoneAssist, Profile(consent: new Consent(Push: true))).Suppressed);
    }

    [Fact]
    public void A_rule_cools_down_and_so_does_its_group()
    {
        var (first, history) = Decide([new TriggerCandidate(CartReminder, Summer)], Profile(), new TriggerState());
        Assert.True(first[0].Fires);

        var hourLater = Summer + 3_600_000;
        var (again, _) = Decide([new TriggerCandidate(CartReminder, hourLater)], Profile(), history);
        var (sibling, _) = Decide([new TriggerCandidate(CartEmail, hourLater)], Profile(), history);
        var (afterGroupCooldown, _) = Decide([new TriggerCandidate(CartEmail, Summer + (5 * 3_600_000))], Profile(), history);

        Assert.Equal(SuppressionReason.Cooldown, again[0].Suppressed);
        Assert.Equal(SuppressionReason.GroupCooldown, sibling[0].Suppressed);
        Assert.True(afterGroupCooldown[0].Fires);
    }

    [Fact]
    public void The_daily_cap_counts_across_rules_and_resets_on_the_customers_next_local_day()
    {
        var history = new TriggerState();
        var rules = new[] { CartReminder, ZoneAssist, Welcome };
        var outcomes = new List<SuppressionReason?>();
        for (var i = 0; i < rules.Length; i++)
        {
            (var decisions, history) = Decide([new TriggerCandidate(rules[i], Summer + (i * 600_000))], Profile(), history);
            outcomes.Add(decisions[0].Suppressed);
        }

        Assert.Equal([null, null, SuppressionReason.DailyCap], outcomes);
        // 22:30 UTC on the same UTC day is already the next day in Berlin (00:30 local), and outside quiet hours ending at 00:00.
        var nextLocalDay = new DateTimeOffset(2026, 7, 15, 22, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var (later, _) = Decide([new TriggerCandidate(Welcome, nextLocalDay)], Profile(quiet: new QuietHours(22 * 60, 0)), history);
        Assert.True(later[0].Fires, later[0].Detail);
    }

    [Theory]
    // Berlin quiet hours 22:00-07:00: 20:30 UTC is 22:30 in summer (CEST, +2) but 21:30 in winter (CET, +1).
    [InlineData("Europe/Berlin", 2026, 7, 15, 20, 30, true)]
    [InlineData("Europe/Berlin", 2026, 1, 15, 20, 30, false)]
    // The morning after the change to summer time (29 March 2026): 05:30 UTC is 07:30 CEST, quiet hours are over.
    [InlineData("Europe/Berlin", 2026, 3, 29, 5, 30, false)]
    [InlineData("Europe/Berlin", 2026, 3, 28, 5, 30, true)]
    // The same instant is night in Tokyo and afternoon in New York.
    [InlineData("Asia/Tokyo", 2026, 7, 15, 14, 0, true)]
    [InlineData("America/New_York", 2026, 7, 15, 14, 0, false)]
    public void Quiet_hours_are_kept_in_the_customers_time_zone_across_daylight_saving(string zone, int year, int month, int day, int hour, int minute, bool quiet)
    {
        var t = new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var profile = Profile(quiet: new QuietHours(22 * 60, 7 * 60), timeZone: zone);

        var decision = Decide([new TriggerCandidate(Welcome, t)], profile, new TriggerState(), t).Decisions[0];

        Assert.Equal(quiet ? SuppressionReason.QuietHours : null, decision.Suppressed);
        // Store staff are at work whatever the customer's quiet hours say.
        Assert.True(Decide([new TriggerCandidate(ZoneAssist, t)], profile, new TriggerState(), t).Decisions[0].Fires);
    }

    [Fact]
    public void An_event_older_than_the_rule_allows_against_stream_time_is_stale()
    {
        var (decisions, _) = Decide([new TriggerCandidate(CartReminder, Summer)], Profile(), new TriggerState(), streamTimeMs: Summer + 360_000);

        Assert.Equal(SuppressionReason.Stale, decisions[0].Suppressed);
        Assert.Contains("360 s old", decisions[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_best_priority_wins_an_event_and_a_lesser_trigger_soon_after_loses_too()
    {
        var (decisions, history) = Decide([new TriggerCandidate(CartReminder, Summer), new TriggerCandidate(ZoneAssist, Summer), new TriggerCandidate(Welcome, Summer)], Profile(), new TriggerState());

        Assert.Equal(["zone-assist"], decisions.Where(d => d.Fires).Select(d => d.Candidate.Rule.RuleId));
        Assert.All(decisions.Where(d => !d.Fires), d => Assert.Equal(SuppressionReason.LostArbitration, d.Suppressed));

        var (soon, _) = Decide([new TriggerCandidate(Welcome, Summer + 60_000)], Profile(), history);
        var (later, _) = Decide([new TriggerCandidate(Welcome, Summer + 180_000)], Profile(), history);
        Assert.Equal(SuppressionReason.LostArbitration, soon[0].Suppressed);
        Assert.True(later[0].Fires);
    }

    private static HygieneDecision Single(HygieneRule rule, RelationshipProfile? relationship) =>
        Decide([new TriggerCandidate(rule, Summer)], relationship, new TriggerState()).Decisions[0];

    private static (IReadOnlyList<HygieneDecision> Decisions, TriggerState History) Decide(
        TriggerCandidate[] candidates, RelationshipProfile? relationship, TriggerState history, long? streamTimeMs = null) =>
        TriggerHygiene.Decide(candidates, relationship, history, streamTimeMs ?? candidates.Max(c => c.EventTimeMs), Settings);

    private static RelationshipProfile Profile(Consent? consent = null, QuietHours? quiet = null, string timeZone = "Europe/Berlin") =>
        new(Guid.Empty, 0, "c360.relationship.v1", "c-1", "GOLD", "loyal", 100m, 0.1, [], "berlin-mitte",
            consent ?? new Consent(Email: true, Push: true, InApp: true, Location: true), quiet ?? new QuietHours(22 * 60, 7 * 60), timeZone, "de-DE");
}
