using System.Text;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Pipeline.Tests;

public sealed class ContextPipelineTests
{
    [Fact]
    public void The_relationship_joins_into_the_context_and_its_consent_gates_location()
    {
        var h = new PipelineHarness();
        h.Link("device:d1", "c-1", 0);
        h.Fix("d1", 1_000, 0);
        Assert.Equal(PresenceState.Unknown, h.Context("c-1")!.Location.State);

        h.Profile("c-1", 2_000);
        h.Fix("d1", 3_000, 10);
        h.Beacon("d1", 4_000, "electronics");

        var context = h.Context("c-1")!;
        Assert.Equal("GOLD", context.Relationship!.Tier);
        Assert.Equal(PresenceState.InStore, context.Location.State);
        Assert.Equal("electronics", context.InStore.ZoneId);
        Assert.Equal(PipelineHarness.Names.Beacon, context.Provenance["inStore"].SourceTopic);

        // Withdrawn consent takes effect with the relationship update: presence is forgotten.
        h.Profile("c-1", 5_000, location: false);
        Assert.Null(h.Context("c-1")!.InStore.StoreId);
        Assert.Equal(PresenceState.Unknown, h.Context("c-1")!.Location.State);
    }

    [Fact]
    public void A_changed_context_publishes_one_snapshot_per_commit_whose_id_depends_only_on_context_and_version()
    {
        static List<OutgoingRecord> Snapshots(PipelineHarness h) =>
            [.. h.Driver.ReadOutput(PipelineHarness.Names.Context).Where(r => Encoding.UTF8.GetString(r.Key!) == "c-1")];

        // Two changes in one commit: one snapshot, of version 2; a third change in the next commit: one more.
        var coalesced = new PipelineHarness();
        coalesced.Profile("c-1", 0);
        coalesced.Click("a1", 1_000, ClickType.PageView, customer: "c-1");
        Assert.Empty(Snapshots(coalesced));
        coalesced.Driver.Commit();
        coalesced.Click("a1", 2_000, ClickType.PageView, customer: "c-1");
        coalesced.Driver.Commit();

        // The same changes with a commit after each: a snapshot per version, the one of version 2 with the same id.
        var oneByOne = new PipelineHarness();
        oneByOne.Profile("c-1", 0);
        oneByOne.Driver.Commit();
        oneByOne.Click("a1", 1_000, ClickType.PageView, customer: "c-1");
        oneByOne.Driver.Commit();

        var snapshots = Snapshots(coalesced);
        Assert.Equal(2, snapshots.Count);
        Assert.All(snapshots, s => Assert.NotNull(s.Value));
        Assert.Equal(2, snapshots.Select(s => s.OutputId).Distinct().Count());
        Assert.Equal(2, Snapshots(oneByOne).Count);
        Assert.Equal(Snapshots(oneByOne)[1].OutputId, snapshots[0].OutputId);
    }

    [Fact]
    public void A_duplicate_event_from_the_producer_is_applied_once()
    {
        var h = new PipelineHarness();
        var add = new ClickEvent(h.NextId(), PipelineHarness.T0, PipelineHarness.Names.Clickstream, ClickType.AddToCart, "a1", "c-1", "s", "u", "sku-1", "toys", 10m, 1, 10m);
        h.Send(PipelineHarness.Names.Clickstream, "web:a1", add);
        h.Send(PipelineHarness.Names.Clickstream, "web:a1", add);

        var context = h.Context("c-1")!;
        Assert.Equal(1, context.Version);
        Assert.Equal(1, context.Web.CartItems["sku-1"]);
    }

    [Fact]
    public void Replayed_input_after_a_crash_leaves_every_context_as_without_the_crash()
    {
        var h = new PipelineHarness();
        h.Profile("c-1", 0);
        h.Link("web:a1", "c-1", 10);
        h.Click("a1", 1_000, ClickType.AddToCart, "sku-1", 10m);
        h.Driver.Commit();
        var committed = h.Context("c-1")!;
        h.Click("a1", 2_000, ClickType.AddToCart, "sku-2", 20m);
        var beforeCrash = ContextJson.Serialize(h.Context("c-1")!);

        h.Driver.CrashAndRestore();
        Assert.Equal(committed.Version, h.Context("c-1")!.Version);
        // The consumer restarts from the last committed offsets: everything is delivered again, from the start.
        foreach (var topic in new[] { PipelineHarness.Names.Relationship, PipelineHarness.Names.Identity, PipelineHarness.Names.Clickstream })
        {
            for (var p = 0; p < PipelineHarness.Partitions; p++)
            {
                h.Driver.ReplayFrom(topic, p, 0);
            }
        }

        Assert.Equal(beforeCrash, ContextJson.Serialize(h.Context("c-1")!));
    }

    [Fact]
    public void Erasure_removes_every_trace_of_the_customer_and_drops_what_arrives_later()
    {
        var h = new PipelineHarness();
        h.Profile("c-erase", 0);
        h.Link("web:e1", "c-erase", 1);
        h.Link("device:e2", "c-erase", 2);
        h.Click("e1", 1_000, ClickType.AddToCart, "sku-1", 10m);
        h.Fix("e2", 1_500, 0);
        var outputsBefore = h.Driver.ReadOutput(PipelineHarness.Names.Context).Count;

        h.Driver.PipeInput(PipelineHarness.Names.Relationship, "c-erase", (byte[]?)null, PipelineHarness.T0 + 2_000);
        // Later events: signed in, by a former link, a relink, a new profile.
        h.Click("e1", 3_000, ClickType.PageView);
        h.Click("x9", 3_100, ClickType.PageView, customer: "c-erase");
        h.Link("app:e3", "c-erase", 3_200);
        h.Profile("c-erase", 3_300);
        h.Driver.Commit();

        Assert.Null(h.Context("c-erase"));
        var mentions = h.AllState().Where(s => s.Key.Contains("c-erase", StringComparison.Ordinal) || Encoding.UTF8.GetString(s.Value).Contains("c-erase", StringComparison.Ordinal));
        Assert.Empty(mentions.Select(m => $"{m.Store}/{m.Key}: {Encoding.UTF8.GetString(m.Value)}"));
        var later = h.Driver.ReadOutput(PipelineHarness.Names.Context).Skip(outputsBefore).ToList();
        Assert.Equal("c-erase", Encoding.UTF8.GetString(later[0].Key!));
        Assert.Null(later[0].Value);
        Assert.DoesNotContain(later.Skip(1), r => Encoding.UTF8.GetString(r.Key!).Contains("c-erase", StringComparison.Ordinal));
        // The changelogs carry tombstones for the erased keys, and nothing newer that names the customer.
        var changelog = h.Driver.ReadOutput(h.Topology.ChangelogTopic(ProductTopics.ContextsStore));
        Assert.Null(changelog.Last(r => Encoding.UTF8.GetString(r.Key!) == "c-erase").Value);
        // The former identifiers are anonymous again.
        Assert.NotNull(h.Anonymous("web:e1"));
    }
}
