using Customer360.Streaming.Domain.Decisioning;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>segments.yaml and offers.yaml: loaded with the rules, validated with them, every error placed.</summary>
public sealed class DecisionCatalogTests
{
    private const string Segments = """
        segments:
          - name: bargain-hunter
            description: Browses a lot, buys little.
            when: context.web.views30m >= 5 and context.cart.items == 0
        """;

    private const string Offers = """
        offers:
          - id: coupon
            description: A coupon.
            channel: email
            value: 3
        """;

    [Fact]
    public void The_shipped_segments_and_offers_load_with_the_rules_in_their_file_order()
    {
        var shipped = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));

        Assert.Equal(["vip", "at-risk", "push-responsive", "bargain-hunter"], shipped.Segments.Select(s => s.Name));
        Assert.Equal(["ten-percent-off", "free-shipping", "double-points", "new-arrivals-preview", "store-coffee"], shipped.Offers.Select(o => o.Id));
        Assert.Equal(new OfferCapacity(50, CapacityScope.Store), shipped.Offers.Single(o => o.Id == "store-coffee").Capacity);
        Assert.Equal(shipped.Offers, shipped.Rules.Single(r => r.Id == "next-best-offer").Offers);
    }

    [Fact]
    public void A_rule_naming_an_unknown_segment_or_offer_does_not_load_and_the_error_names_file_rule_and_column()
    {
        const string rules = """
            rules:
              - id: hunt
                version: 1
                description: For bargain hunters.
                on: [click]
                when: "'bargain-hunter' in context.segments and 'vip' in context.segments"
                offers: [coupon, voucher]
                channel: email
                priority: 10
                expiry: 1h
                cooldown: 1h
                topic: c360.triggers.v1
            """;

        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(new RuleSources("topology/triggers.yaml", rules, Segments, Offers)));

        Assert.Contains("topology/triggers.yaml is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("rules[0] 'hunt': 'when': column 42: unknown segment 'vip' (known: bargain-hunter)", error.Message, StringComparison.Ordinal);
        Assert.Contains("rules[0] 'hunt': 'offers': line 7, column 22: unknown offer 'voucher' (known: coupon)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'bargain-hunter'", error.Message.Replace("(known: bargain-hunter)", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_segment_file_any_segment_a_rule_names_is_unknown()
    {
        const string rules = """
            rules:
              - id: vips
                version: 1
                description: For VIPs.
                on: [click]
                when: context.segments == ['vip']
                channel: email
                priority: 10
                expiry: 1h
                cooldown: 1h
                topic: c360.triggers.v1
            """;

        var error = Assert.Throws<TopologyException>(() => RuleCatalog.Parse(rules, "triggers.yaml"));

        Assert.Contains("'when': column 21: unknown segment 'vip' (none are declared)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_segments_and_offers_are_rejected_whole_with_every_error_listed()
    {
        const string segments = """
            segments:
              - name: Hot
                description: x
                when: event.kind == 'click'
              - name: none
                description: reserved
                when: context.known
              - name: cold
                when: "'hot' in context.segments"
            """;
        const string offers = """
            offers:
              - id: gift
                description: A gift.
                channel: pigeon
                value: 0
                capacity: {perDay: 0, per: region}
                validFrom: 2026-12-24T00:00:00Z
                validUntil: 2026-12-01T00:00:00Z
              - id: gift
                description: Again.
                channel: push
                value: 1
                when: event.store == 'x'
            """;

        var segmentError = Assert.Throws<TopologyException>(() => SegmentCatalog.Parse(segments, "segments.yaml"));
        var offerError = Assert.Throws<TopologyException>(() => OfferCatalog.Parse(offers, "offers.yaml", []));

        Assert.All(
            [
                "segments.yaml is invalid",
                "segments[0] 'Hot': 'name': is required: lowercase letters, digits and '-'",
                "segments[0] 'Hot': 'when': column 1: unknown variable 'event.kind'",
                "a segment is a state of the customer",
                "segments[1] 'none': 'name': 'none' is reserved",
                "segments[2] 'cold': 'description': is required",
                "segments[2] 'cold': 'when': column 10: unknown variable 'context.segments'",
            ],
            e => Assert.Contains(e, segmentError.Message, StringComparison.Ordinal));
        Assert.All(
            [
                "offers[0] 'gift': 'channel': must be one of push, email, sms, inApp, store (was 'pigeon')",
                "offers[0] 'gift': 'value': is required",
                "offers[0] 'gift': 'capacity.per': must be offer or store (was 'region')",
                "offers[0] 'gift': 'capacity.perDay': must be 1 or more",
                "offers[0] 'gift': 'validUntil': must be after validFrom",
                "offers[1] 'gift': 'id': is declared twice",
                "offers[1] 'gift': 'when': column 1: unknown variable 'event.store'",
            ],
            e => Assert.Contains(e, offerError.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("push, email")]
    [InlineData("1")]
    public void An_offer_channel_that_is_a_list_or_a_number_is_rejected(string channel)
    {
        // "push, email" is push|email to .NET's enum parser, which is email: defined, and so it passed.
        var offers = $"""
            offers:
              - id: listed
                description: Two channels at once.
                channel: "{channel}"
                value: 1
            """;

        var error = Assert.Throws<TopologyException>(() => OfferCatalog.Parse(offers, "offers.yaml", []));

        Assert.Contains($"offers[0] 'listed': 'channel': must be one of push, email, sms, inApp, store (was '{channel}')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_offer_is_valid_only_inside_its_period()
    {
        const string offers = """
            offers:
              - id: xmas
                description: Christmas.
                channel: push
                value: 2
                validFrom: 2026-12-24T00:00:00Z
                validUntil: 2026-12-27T00:00:00Z
            """;

        var xmas = Assert.Single(OfferCatalog.Parse(offers, "offers.yaml", []));

        Assert.False(xmas.ValidAt(DateTimeOffset.Parse("2026-12-23T23:59:59Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()));
        Assert.True(xmas.ValidAt(DateTimeOffset.Parse("2026-12-24T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()));
        Assert.False(xmas.ValidAt(DateTimeOffset.Parse("2026-12-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()));
        Assert.Equal(TriggerChannel.Push, xmas.Channel);
    }
}
