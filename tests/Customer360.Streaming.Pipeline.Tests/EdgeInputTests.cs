using System.Text;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>Records a producer can write but the product must not take in: each is dead-lettered where it entered, as it was.</summary>
public sealed class EdgeInputTests
{
    [Fact]
    public void IdentityLinkWithAnEmptyCustomerId_IsDeadLetteredFromTheIdentityTopic_WithItsOriginalBytes()
    {
        var h = new PipelineHarness();
        var link = new IdentityLink(h.NextId(), PipelineHarness.T0, PipelineHarness.Names.Identity, IdentifierType.Device, "d1", string.Empty, IdentityAction.Link);
        var original = h.Encode(link, PipelineHarness.Names.Identity);

        var outcome = h.Driver.PipeInput(PipelineHarness.Names.Identity, "device:d1", original, link.EventTimeMs);

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Equal(original, dead.Value);
        Assert.Equal("device:d1", Encoding.UTF8.GetString(dead.Key!));
        Assert.Equal(PipelineHarness.Names.Identity, RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTopic));
        Assert.Contains("customerId is blank", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Empty(h.Driver.ReadOutput(h.EventsByCustomer));
    }

    [Fact]
    public void TombstoneOnTheResponsesTopic_IsDeadLetteredLikeATombstoneOnAChannelTopic()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);
        h.Driver.ReadOutput(h.Topology.DeadLetterTopic);

        var response = h.Driver.PipeInput(PipelineHarness.Names.Responses, "c-1", (byte[]?)null, PipelineHarness.T0 + 1_000);
        var click = h.Driver.PipeInput(PipelineHarness.Names.Clickstream, "web:a1", (byte[]?)null, PipelineHarness.T0 + 1_000);

        Assert.Equal(TaskOutcome.DeadLettered, response);
        Assert.Equal(TaskOutcome.DeadLettered, click);
        Assert.All(h.Driver.ReadOutput(h.Topology.DeadLetterTopic), d => Assert.Equal("InvalidValue", RecordHeaders.Find(d.Headers, RecordHeaders.DlqErrorClass)));
    }

    [Theory]
    [InlineData("a}:b")]
    [InlineData("{c-1}")]
    [InlineData("c-1\u001b[2J")]
    [InlineData("c-1\r\nSET x y")]
    public void KeyThatWouldEscapeTheRedisKeyShape_IsDeadLettered_AndNoContextIsKeptForIt(string key)
    {
        var h = new PipelineHarness();

        var outcome = h.Driver.PipeInput(PipelineHarness.Names.Relationship, key, Encoding.UTF8.GetBytes("ignored"), PipelineHarness.T0);
        var erase = h.Driver.PipeInput(PipelineHarness.Names.Relationship, key, (byte[]?)null, PipelineHarness.T0);

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        Assert.Equal(TaskOutcome.DeadLettered, erase);
        Assert.DoesNotContain(h.AllState(), s => s.Key == key);
    }

    [Fact]
    public void EventDatedFarAhead_IsAnInvalidValue_AndDoesNotFreezeTheContext()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(PipelineHarness.T0 + 60_000));
        var h = new PipelineHarness(clock: clock, maxFutureSkew: TimeSpan.FromMinutes(5));
        h.Profile("c-1", 0);
        h.Driver.ReadOutput(h.Topology.DeadLetterTopic);
        var year3000 = new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - PipelineHarness.T0;

        // Dated ahead in its body only: its Kafka timestamp is the processor's now.
        var futureClick = new ClickEvent(
            h.NextId(), PipelineHarness.T0 + year3000, PipelineHarness.Names.Clickstream, ClickType.PageView, "a1", "c-1", "s-a1", "https://shop.example/p/home");
        var future = h.SendAt(PipelineHarness.Names.Clickstream, "web:a1", futureClick, PipelineHarness.T0 + 60_000);
        var withinSkew = h.Click("a1", 60_000 + 240_000, ClickType.PageView, customer: "c-1");
        var now = h.Click("a1", 30_000, ClickType.PageView, customer: "c-1");

        // Routing reads only the customer id; the context stage decodes the event and sets it aside. The dead letter
        // names the click as it entered (topic, offset), and the repartition record that carried it as the hop.
        Assert.Equal(TaskOutcome.Processed, future);
        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Contains("ahead of the processor's clock", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Equal(PipelineHarness.Names.Clickstream, RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTopic));
        Assert.Equal("0", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginOffset));
        Assert.EndsWith(ProductTopics.EventsByCustomer + "-repartition", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqViaTopic), StringComparison.Ordinal);
        Assert.Equal(TaskOutcome.Processed, withinSkew);
        Assert.Equal(TaskOutcome.Processed, now);
        Assert.Equal(PipelineHarness.T0 + 300_000, h.Context("c-1")!.AsOfMs);
        Assert.Equal(2, h.Context("c-1")!.Web.PagesInSession);
    }

    [Fact]
    public void A_record_whose_Kafka_timestamp_is_far_ahead_is_dead_lettered_where_it_entered_and_moves_no_stream_time()
    {
        // A producer that set microseconds: taken in, the identity stage's stream time jumped some 56,000 years and its
        // sweep expired every anonymous visitor of the partition (a cart among them); the context stage's would fire
        // every timer. The body's eventTime is fine, so only the record's timestamp can tell.
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(PipelineHarness.T0 + 60_000));
        var h = new PipelineHarness(clock: clock, maxFutureSkew: TimeSpan.FromMinutes(5));
        h.Click("a1", 0, ClickType.AddToCart, "tv-55", cart: 99m);
        h.Profile("c-1", 0);
        var profileVersion = h.Context("c-1")!.Version;
        var click = new ClickEvent(h.NextId(), PipelineHarness.T0 + 1_000, PipelineHarness.Names.Clickstream, ClickType.PageView, "a1", null, "s-a1", "https://shop.example/p/home");
        var inMicroseconds = (PipelineHarness.T0 + 1_000) * 1_000;

        var routed = h.SendAt(PipelineHarness.Names.Clickstream, "web:a1", click, inMicroseconds);
        var profile = h.SendAt(PipelineHarness.Names.Relationship, "c-1", h.ProfileOf("c-1", 1_000, tier: "SILVER"), inMicroseconds);
        h.Click("a1", 2_000, ClickType.PageView);

        Assert.Equal((TaskOutcome.DeadLettered, TaskOutcome.DeadLettered), (routed, profile));
        var dead = h.Driver.ReadOutput(h.Topology.DeadLetterTopic);
        Assert.Equal([PipelineHarness.Names.Clickstream, PipelineHarness.Names.Relationship], dead.Select(d => RecordHeaders.Find(d.Headers, RecordHeaders.DlqOriginTopic)));
        Assert.All(dead, d => Assert.Contains("timestamp is", RecordHeaders.Find(d.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal));
        Assert.All(dead, d => Assert.Equal("InvalidValue", RecordHeaders.Find(d.Headers, RecordHeaders.DlqErrorClass)));
        var visitor = h.Anonymous("web:a1")!;
        Assert.Equal(1, visitor.Web.CartItems["tv-55"]);
        Assert.Equal(PipelineHarness.T0 + 2_000, visitor.Web.LastActivityMs);
        Assert.Equal(profileVersion, h.Context("c-1")!.Version);

        // The runtime hands such a record out as soon as it heads its partition, not in timestamp order behind the rest.
        Assert.Equal(TimeSpan.FromMinutes(5), h.Topology.RefusedAhead);
    }

    [Fact]
    public void An_erasure_whose_Kafka_timestamp_is_far_ahead_is_applied_all_the_same_and_moves_no_stream_time()
    {
        // Erasing is a legal obligation: dead-lettered, it waited until someone replayed it, and a replay met the same
        // refusal until the clock caught up with the wrong timestamp. A tombstone has no body, so nothing else dates it.
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(PipelineHarness.T0 + 60_000));
        var h = new PipelineHarness(clock: clock, maxFutureSkew: TimeSpan.FromMinutes(5));
        var neighbour = PipelineHarness.SamePartitionAs("c-1");
        h.Profile("c-1", 0);
        h.Profile(neighbour, 0);
        h.Link("device:d1", "c-1", 1);
        h.Click("a1", 500, ClickType.PageView, customer: "c-1");
        var outputsBefore = h.Driver.ReadOutput(PipelineHarness.Names.Context).Count;

        var erase = h.Driver.PipeInput(PipelineHarness.Names.Relationship, "c-1", (byte[]?)null, (PipelineHarness.T0 + 1_000) * 1_000);
        var later = h.Click("n1", 2_000, ClickType.PageView, customer: neighbour);

        Assert.Equal(TaskOutcome.Processed, erase);
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Null(h.Context("c-1"));
        var tombstone = h.Driver.ReadOutput(PipelineHarness.Names.Context).Skip(outputsBefore).First();
        Assert.Equal(("c-1", (byte[]?)null), (Encoding.UTF8.GetString(tombstone.Key!), tombstone.Value));
        // What the erasure sends on (the tombstone, the identity task's forget) is dated by stream time, not by it.
        Assert.Equal(PipelineHarness.T0 + 500, tombstone.TimestampMs);
        Assert.False(h.AllState().Any(s => s.Store == ProductTopics.IdentityLinksStore && s.Key == "device:d1"), "the identity task kept the erased customer's link");
        // Had the partition's stream time followed the tombstone some 56,000 years ahead, this click would be late.
        Assert.Equal(TaskOutcome.Processed, later);
        Assert.Equal(PipelineHarness.T0 + 2_000, h.Context(neighbour)!.AsOfMs);
    }

    [Fact]
    public void An_identity_tombstone_whose_Kafka_timestamp_is_far_ahead_removes_the_links_and_moves_no_stream_time()
    {
        // Like an erasure, a tombstone on the compacted identity topic asks to forget (the identifier's links) and has
        // no body to date it otherwise.
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(PipelineHarness.T0 + 60_000));
        var h = new PipelineHarness(clock: clock, maxFutureSkew: TimeSpan.FromMinutes(5));
        static int IdentityPartition(string identifier) => Murmur2.Partition(Encoding.UTF8.GetBytes(identifier), PipelineHarness.Partitions);
        var visitor = Enumerable.Range(1, 100).Select(i => $"a{i}").First(v => IdentityPartition("web:" + v) == IdentityPartition("device:d1"));
        h.Profile("c-1", 0);
        h.Link("device:d1", "c-1", 1);
        h.Click(visitor, 500, ClickType.AddToCart, "tv-55", cart: 99m);

        var unlink = h.Driver.PipeInput(PipelineHarness.Names.Identity, "device:d1", (byte[]?)null, (PipelineHarness.T0 + 1_000) * 1_000);
        h.Click(visitor, 2_000, ClickType.PageView);

        Assert.Equal(TaskOutcome.Processed, unlink);
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.DoesNotContain("device:d1", h.Context("c-1")!.Identifiers);
        // Had the identity task's stream time followed the tombstone, its sweep would have expired the visitor's cart.
        var anonymous = h.Anonymous("web:" + visitor)!;
        Assert.Equal(1, anonymous.Web.CartItems["tv-55"]);
        Assert.Equal(PipelineHarness.T0 + 2_000, anonymous.Web.LastActivityMs);
    }

    [Theory]
    [InlineData("url", TextLimits.Url)]
    [InlineData("searchQuery", TextLimits.SearchQuery)]
    [InlineData("category", TextLimits.Name)]
    [InlineData("productId", TextLimits.Name)]
    [InlineData("sessionId", TextLimits.Name)]
    public void A_click_text_longer_than_its_limit_is_dead_lettered_and_one_at_the_limit_is_applied(string field, int limit)
    {
        var h = new PipelineHarness();
        h.Link("web:a1", "c-1", 0);
        ClickEvent With(int length) => Customize(new ClickEvent(
            h.NextId(), PipelineHarness.T0 + length, PipelineHarness.Names.Clickstream, ClickType.AddToCart, "a1", null, "s-1", "https://shop.example/", "tv", "electronics", 10m, 1, 10m, "tv"), field, new string('x', length));

        // Routed by the identity stage, which reads only the customer id; the context stage decodes and judges it.
        h.Send(PipelineHarness.Names.Clickstream, "web:a1", With(limit));
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        h.Send(PipelineHarness.Names.Clickstream, "web:a1", With(limit + 1));

        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Equal("InvalidValue", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorClass));
        Assert.Contains($"ClickstreamEvent.{field} is longer than {limit} characters", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Equal(1, h.Context("c-1")!.Web.ItemsInCart());
    }

    [Fact]
    public void A_profile_naming_more_preferred_categories_than_allowed_is_dead_lettered_and_the_profile_before_it_stays()
    {
        var h = new PipelineHarness();
        var categories = Enumerable.Range(0, TextLimits.PreferredCategories).Select(i => $"category-{i}").ToList();
        RelationshipProfile Profile(long t, IReadOnlyList<string> preferred) => new(
            h.NextId(), PipelineHarness.T0 + t, PipelineHarness.Names.Relationship, "c-1", "GOLD", "families", 10m, 0.1, preferred, null, new Consent(), null, "Europe/Berlin", "de-DE");

        var atLimit = h.Send(PipelineHarness.Names.Relationship, "c-1", Profile(0, categories));
        var over = h.Send(PipelineHarness.Names.Relationship, "c-1", Profile(1, [.. categories, "one-more"]));

        Assert.Equal(TaskOutcome.Processed, atLimit);
        Assert.Equal(TaskOutcome.DeadLettered, over);
        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Contains($"RelationshipProfile.preferredCategories has more than {TextLimits.PreferredCategories} items", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Equal(categories, h.Context("c-1")!.Relationship!.PreferredCategories);
    }

    private static ClickEvent Customize(ClickEvent click, string field, string text) => field switch
    {
        "url" => click with { Url = text },
        "searchQuery" => click with { SearchQuery = text },
        "category" => click with { Category = text },
        "productId" => click with { ProductId = text },
        "sessionId" => click with { SessionId = text },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a limited click text"),
    };

    [Fact]
    public void A_signed_in_click_naming_a_customer_id_no_key_may_hold_is_dead_lettered_where_it_entered_and_reaches_no_context()
    {
        var h = new PipelineHarness();

        // Routing reads only the customer id, and judges it as the full decode would: braces never become a key.
        var outcome = h.Click("a1", 1_000, ClickType.PageView, customer: "c-{1}");

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Equal(PipelineHarness.Names.Clickstream, RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTopic));
        Assert.Null(RecordHeaders.Find(dead.Headers, RecordHeaders.DlqViaTopic));
        Assert.Contains("customerId contains a brace", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Null(h.Context("c-{1}"));
    }

    [Fact]
    public void An_input_record_carrying_an_origin_header_of_ours_is_judged_by_its_own_position_and_hides_no_later_record()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);
        var click = new ClickEvent(Guid.NewGuid(), PipelineHarness.T0 + 1_000, PipelineHarness.Names.Clickstream, ClickType.PageView, "a1", "c-1", "s-1", "https://shop.example/p/home", null, null, null, null, null);
        // A producer copied our internal origin header onto an input record, naming an offset far ahead. Taken at its
        // word, the replay guard would skip every later record of the partition as already applied.
        var forged = new RecordOrigin(PipelineHarness.Names.Clickstream, 0, 1_000_000).ToHeader();

        var first = h.Driver.PipeInput(PipelineHarness.Names.Clickstream, "web:a1", h.Encode(click, PipelineHarness.Names.Clickstream), click.EventTimeMs, [new(RecordHeaders.Origin, forged)]);
        var second = h.Click("a1", 2_000, ClickType.PageView, customer: "c-1");

        Assert.Equal((TaskOutcome.Processed, TaskOutcome.Processed), (first, second));
        Assert.Equal(2, h.Context("c-1")!.Web.PagesInSession);
    }
}
