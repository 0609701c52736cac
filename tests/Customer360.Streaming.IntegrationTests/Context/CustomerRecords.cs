using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.IntegrationTests.Context;

/// <summary>A customer's records as the tests of a whole processor send them: a consented profile, a page view.</summary>
internal static class CustomerRecords
{
    public static RelationshipProfile Profile(string customer, string tier, long t) =>
        new(Guid.NewGuid(), t, "relationship", customer, tier, "families", 1234.50m, 0.2, ["electronics"], "berlin-mitte",
            new Consent(Push: true, Location: true), null, "Europe/Berlin", "de-DE");

    public static ClickEvent PageView(string anonymousId, long t, string url) =>
        new(Guid.NewGuid(), t, "clickstream", ClickType.PageView, anonymousId, null, "s-" + anonymousId, url, null, null, null, null, null, null);
}
