using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.State;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// Channel events their sources key by customer (the signed-in app, a server-side tracker): read by the context stage
/// directly, without identity stitching and the repartition hop, and with the same effect on the context.
/// </summary>
public sealed class CustomerKeyedChannelTests
{
    private static readonly string Beacon = PipelineHarness.Names.Beacon;
    private static readonly string Clickstream = PipelineHarness.Names.Clickstream;
    private static readonly string BeaconByCustomer = PipelineHarness.Names.KeyedByCustomer[Beacon];
    private static readonly string ClickstreamByCustomer = PipelineHarness.Names.KeyedByCustomer[Clickstream];

    [Fact]
    public void An_event_keyed_by_customer_reaches_the_context_without_the_repartition_hop()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);

        var outcome = h.SendKeyed("c-1", new BeaconSighting(
            h.NextId(), PipelineHarness.T0 + 1_000, Beacon, PipelineHarness.Store.StoreId, "electronics", Proximity.Immediate, -55, SightingType.Enter));

        Assert.Equal(TaskOutcome.Processed, outcome);
        var context = h.Context("c-1")!;
        Assert.Equal("electronics", context.InStore.ZoneId);
        Assert.Equal(BeaconByCustomer, context.Provenance["inStore"].SourceTopic);
        Assert.Empty(h.Driver.ReadOutput(h.EventsByCustomer));
    }

    [Fact]
    public void The_simulated_journeys_keyed_by_customer_give_every_customer_the_context_identity_stitching_gives()
    {
        var stitched = Contexts(PipelineHarness.Simulated(60, seed: 9, events: 3_000));
        var keyed = PipelineHarness.Simulated(60, seed: 9, events: 3_000, keyedByCustomer: true);

        Assert.Equal(60, stitched.Count);
        Assert.Equal(stitched, Contexts(keyed));
        Assert.Contains(keyed.StoredContexts(), c => ContextState.Decode(c).Provenance.Values.Any(p => p.SourceTopic == BeaconByCustomer));
        // Only the setup's links took the hop: one for each customer's web id and one for the device.
        Assert.Equal(2 * 60, keyed.Driver.ReadOutput(keyed.EventsByCustomer).Count);
    }

    [Fact]
    public void A_clickstream_event_keyed_by_one_customer_that_names_another_is_dead_lettered_and_changes_no_context()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);
        h.Profile("c-2", 0);
        var before = (h.Context("c-1")!.Version, h.Context("c-2")!.Version);

        var outcome = h.SendKeyed("c-1", new ClickEvent(
            h.NextId(), PipelineHarness.T0 + 1_000, Clickstream, ClickType.AddToCart, "a1", "c-2", "s", "u", "sku-1", "toys", 10m, 1, 10m));

        Assert.Equal(TaskOutcome.DeadLettered, outcome);
        var dead = Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));
        Assert.Equal(ClickstreamByCustomer, RecordHeaders.Find(dead.Headers, RecordHeaders.DlqOriginTopic));
        Assert.Contains("names a customer other than its key", RecordHeaders.Find(dead.Headers, RecordHeaders.DlqErrorMessage), StringComparison.Ordinal);
        Assert.Equal(before, (h.Context("c-1")!.Version, h.Context("c-2")!.Version));
    }

    [Fact]
    public void A_signed_in_click_keyed_by_its_own_customer_and_a_record_without_a_value_are_told_apart()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);

        var signedIn = h.SendKeyed("c-1", new ClickEvent(
            h.NextId(), PipelineHarness.T0 + 1_000, Clickstream, ClickType.AddToCart, "a1", "c-1", "s", "u", "sku-1", "toys", 10m, 1, 10m));
        var empty = h.Driver.PipeInput(ClickstreamByCustomer, "c-1", (byte[]?)null, PipelineHarness.T0 + 2_000);

        Assert.Equal(TaskOutcome.Processed, signedIn);
        Assert.Equal(1, h.Context("c-1")!.Web.CartItems["sku-1"]);
        Assert.Equal(TaskOutcome.DeadLettered, empty);
        Assert.Equal("InvalidValue", RecordHeaders.Find(Assert.Single(h.Driver.ReadOutput(h.Topology.DeadLetterTopic)).Headers, RecordHeaders.DlqErrorClass));
    }

    [Fact]
    public void Customer_keyed_input_delivered_again_after_a_crash_changes_nothing()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);
        h.SendKeyed("c-1", new ClickEvent(
            h.NextId(), PipelineHarness.T0 + 1_000, Clickstream, ClickType.AddToCart, "a1", null, "s", "u", "sku-1", "toys", 10m, 1, 10m));
        h.Driver.Commit();
        h.SendKeyed("c-1", new ClickEvent(
            h.NextId(), PipelineHarness.T0 + 2_000, Clickstream, ClickType.AddToCart, "a1", null, "s", "u", "sku-2", "toys", 20m, 1, 30m));
        var beforeCrash = ContextJson.Serialize(h.Context("c-1")!);

        h.CrashAndReplayInputs();

        Assert.Equal(beforeCrash, ContextJson.Serialize(h.Context("c-1")!));
    }

    /// <summary>Each customer's context as JSON, with where each part came from reduced to the event (topics and offsets differ by path).</summary>
    private static Dictionary<string, string> Contexts(PipelineHarness h) =>
        h.AllState()
            .Where(s => s.Store == ProductTopics.ContextsStore && s.Key[0] != '\0')
            .ToDictionary(s => s.Key, s =>
            {
                var context = ContextState.Decode(s.Value);
                var events = context.Provenance.ToImmutableSortedDictionary(
                    p => p.Key, p => p.Value with { SourceTopic = string.Empty, Partition = -1, Offset = -1 }, StringComparer.Ordinal);
                return ContextJson.Serialize(context with { Provenance = events });
            });
}
