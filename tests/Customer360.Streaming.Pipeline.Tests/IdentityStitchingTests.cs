using System.Text;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Pipeline.Tests;

public sealed class IdentityStitchingTests
{
    [Fact]
    public void Events_of_an_unknown_identifier_build_an_anonymous_context_that_merges_into_the_customer_on_link()
    {
        var h = new PipelineHarness();
        h.Click("a1", 0, ClickType.ProductView, "tv-55");
        h.Click("a1", 1_000, ClickType.AddToCart, "tv-55", cart: 99.90m);

        var anonymous = h.Anonymous("web:a1");
        Assert.NotNull(anonymous);
        Assert.Equal("anon:web:a1", anonymous.ContextId);
        Assert.Null(h.Context("c-1"));

        h.Link("web:a1", "c-1", 2_000);

        var merged = h.Context("c-1")!;
        Assert.Equal(99.90m, merged.Web.CartValue);
        Assert.Equal(1, merged.Web.CartItems["tv-55"]);
        Assert.Contains("web:a1", merged.Identifiers);
        Assert.True(merged.Version > anonymous.Version, "the merged version must beat the anonymous one in Redis");
        Assert.Null(h.Anonymous("web:a1"));
        // The anonymous snapshot is tombstoned on the context topic.
        Assert.Contains(h.Driver.ReadOutput(PipelineHarness.Names.Context), r => Encoding.UTF8.GetString(r.Key!) == "anon:web:a1" && r.Value is null);

        // From now on the identifier's events go to the customer.
        h.Click("a1", 3_000, ClickType.PageView);
        Assert.Equal(merged.Version + 1, h.Context("c-1")!.Version);
        Assert.Null(h.Anonymous("web:a1"));
    }

    [Fact]
    public void An_identifier_linked_to_more_customers_than_allowed_is_quarantined_and_its_events_stay_anonymous()
    {
        var h = new PipelineHarness(new IdentitySettings { MaxCustomersPerIdentifier = 2 });
        h.Link("device:kiosk", "c-1", 0);
        h.Link("device:kiosk", "c-2", 1);
        h.Fix("kiosk", 10, 500);
        Assert.Null(h.Anonymous("device:kiosk"));

        h.Link("device:kiosk", "c-3", 2);
        h.Send(PipelineHarness.Names.Mobile, "device:kiosk", new AppEvent(h.NextId(), PipelineHarness.T0 + 20, PipelineHarness.Names.Mobile, AppEventType.AppOpen, "kiosk"));

        Assert.Null(h.Context("c-3"));
        Assert.NotNull(h.Anonymous("device:kiosk"));
        Assert.False(h.Context("c-2")!.App.Foreground, "a quarantined identifier's events must not reach any customer");

        // An unlink brings it back within the limit: events resolve to the latest remaining link again.
        h.Link("device:kiosk", "c-3", 30, IdentityAction.Unlink);
        h.Send(PipelineHarness.Names.Mobile, "device:kiosk", new AppEvent(h.NextId(), PipelineHarness.T0 + 40, PipelineHarness.Names.Mobile, AppEventType.AppOpen, "kiosk"));
        Assert.True(h.Context("c-2")!.App.Foreground);
        Assert.NotNull(h.Anonymous("device:kiosk"));
    }

    [Fact]
    public void An_unlink_stops_routing_and_removes_the_identifier_from_the_customer()
    {
        var h = new PipelineHarness();
        h.Link("device:d1", "c-1", 0);
        h.Link("device:d1", "c-1", 1_000, IdentityAction.Unlink);
        h.Send(PipelineHarness.Names.Mobile, "device:d1", new AppEvent(h.NextId(), PipelineHarness.T0 + 2_000, PipelineHarness.Names.Mobile, AppEventType.AppOpen, "d1"));

        Assert.DoesNotContain("device:d1", h.Context("c-1")!.Identifiers);
        Assert.False(h.Context("c-1")!.App.Foreground);
        Assert.True(h.Anonymous("device:d1")!.App.Foreground);
    }

    [Fact]
    public void A_customer_holding_the_most_identifiers_allowed_refuses_another_link_until_an_unlink_makes_room()
    {
        var h = new PipelineHarness(new IdentitySettings { MaxIdentifiersPerCustomer = 3 });
        using var counters = new CounterRecorder(h.Metrics.Meter);
        h.Link("web:a1", "c-1", 0);
        h.Link("web:a2", "c-1", 1);
        h.Link("web:a3", "c-1", 2);
        h.Click("a4", 10, ClickType.AddToCart, "tv-55", cart: 99m);

        h.Link("web:a4", "c-1", 20);

        var full = h.Context("c-1")!;
        Assert.Equal(["web:a1", "web:a2", "web:a3"], full.Identifiers);
        Assert.Equal(1, counters.Total("c360.identity.links_refused"));
        // What the identifier did before its link still reaches the customer: the link record carried it.
        Assert.Equal(1, full.Web.CartItems["tv-55"]);
        Assert.Null(h.Anonymous("web:a4"));

        // The identity task dropped the link: the identifier's later events stay anonymous.
        h.Click("a4", 30, ClickType.Search);
        Assert.Equal(full.Version, h.Context("c-1")!.Version);
        Assert.NotNull(h.Anonymous("web:a4"));

        // An unlink makes room; the next link is kept, and brings the new anonymous history along.
        h.Link("web:a1", "c-1", 40, IdentityAction.Unlink);
        h.Link("web:a4", "c-1", 50);
        Assert.Equal(["web:a2", "web:a3", "web:a4"], h.Context("c-1")!.Identifiers);
        Assert.Null(h.Anonymous("web:a4"));
        h.Click("a4", 60, ClickType.PageView);
        Assert.Equal(PipelineHarness.T0 + 60, h.Context("c-1")!.Web.LastActivityMs);
        Assert.Equal(1, counters.Total("c360.identity.links_refused"));
    }

    [Fact]
    public void A_signed_in_event_goes_to_its_customer_without_a_link()
    {
        var h = new PipelineHarness();
        h.Click("a9", 0, ClickType.Search, customer: "c-9");
        Assert.NotNull(h.Context("c-9"));
        Assert.Null(h.Anonymous("web:a9"));
    }

    [Fact]
    public void An_identity_link_whose_key_is_not_its_identifier_is_dead_lettered_and_changes_nothing()
    {
        var h = new PipelineHarness();
        var link = new IdentityLink(h.NextId(), PipelineHarness.T0, PipelineHarness.Names.Identity, IdentifierType.Device, "d1", "c-1", IdentityAction.Link);
        var outcome = h.Driver.PipeInput(PipelineHarness.Names.Identity, "device:other", h.Encode(link, PipelineHarness.Names.Identity), link.EventTimeMs);

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        Assert.DoesNotContain(h.AllState(), s => s.Store == ProductTopics.IdentityLinksStore);
        Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
    }
}
