using Customer360.Streaming.Domain;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Pipeline;

namespace Customer360.Streaming.Pipeline.Tests;

/// <summary>
/// One customer fed everything the edges accept, at every limit and past every bound a context keeps: the longest
/// ids and texts, in characters of three UTF-8 bytes, and more identifiers, cart products, zones, views and
/// customers of one identifier than are kept. Every record the pipeline then writes (changelogs, the repartition
/// topics, snapshots, outputs) has to fit one Kafka record as the clients send it by default: a larger one fails its
/// commit, and every commit after it, which stops the processor.
/// </summary>
public sealed class LargestCustomerTests
{
    /// <summary>librdkafka's <c>message.max.bytes</c> default, which the producer checks each record against.</summary>
    private const int KafkaRecordLimit = 1_000_000;

    /// <summary>What a record costs beyond its key, value and headers in a batch of one (Kafka's v2 record format, generously).</summary>
    private const int RecordOverhead = 128;

    private static string Wide(int length, int tag = 0)
    {
        var suffix = tag.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        return new string('€', length - suffix.Length) + suffix;
    }

    [Fact]
    public void Every_record_written_for_a_customer_at_every_limit_fits_one_kafka_record()
    {
        var h = new PipelineHarness();
        var customer = Wide(EntityIds.MaxLength);
        var t = PipelineHarness.T0;
        var profile = new RelationshipProfile(
            h.NextId(), t, PipelineHarness.Names.Relationship, customer, "GOLD", Wide(TextLimits.Name), 1m, 0.5,
            [.. Enumerable.Range(0, TextLimits.PreferredCategories).Select(i => Wide(TextLimits.Name, i))], Wide(EntityIds.MaxLength),
            new Consent(true, true, true, true, true), new QuietHours(0, 60), Wide(TextLimits.Name), Wide(TextLimits.Name));
        h.Send(PipelineHarness.Names.Relationship, customer, profile);

        // Identifiers: the key "device:<value>" is an id too, so the value takes what the prefix leaves.
        var devices = Enumerable.Range(0, new IdentitySettings().MaxIdentifiersPerCustomer + 20).Select(i => Wide(EntityIds.MaxLength - "device:".Length, i)).ToList();
        foreach (var device in devices)
        {
            h.Send(PipelineHarness.Names.Identity, "device:" + device, new IdentityLink(h.NextId(), ++t, PipelineHarness.Names.Identity, IdentifierType.Device, device, customer, IdentityAction.Link));
        }

        for (var i = 0; i < 440; i++)
        {
            var click = new ClickEvent(
                h.NextId(), ++t, PipelineHarness.Names.Clickstream, i % 2 == 0 ? ClickType.ProductView : ClickType.AddToCart, Wide(EntityIds.MaxLength - "web:".Length), customer,
                Wide(TextLimits.Name), Wide(TextLimits.Url), Wide(TextLimits.Name, i), Wide(TextLimits.Name, i), 1m, 1, 1m, Wide(TextLimits.SearchQuery));
            h.Send(PipelineHarness.Names.Clickstream, "web:" + click.AnonymousId, click);
        }

        h.Send(PipelineHarness.Names.Mobile, "device:" + devices[0], new AppEvent(h.NextId(), ++t, PipelineHarness.Names.Mobile, AppEventType.ScreenView, devices[0], null, Wide(TextLimits.Name)));
        var store = Wide(EntityIds.MaxLength);
        for (var zone = 0; zone < 70; zone++)
        {
            h.Send(PipelineHarness.Names.Beacon, "device:" + devices[0], new BeaconSighting(
                h.NextId(), ++t, PipelineHarness.Names.Beacon, store, Wide(EntityIds.MaxLength, zone), Proximity.Immediate, -40, zone == 0 ? SightingType.Enter : SightingType.Dwell));
        }

        // The other side of identity: one identifier every customer signs in on.
        for (var i = 0; i < IdentityState.MostCustomersKept + 20; i++)
        {
            h.Send(PipelineHarness.Names.Identity, "device:kiosk", new IdentityLink(h.NextId(), ++t, PipelineHarness.Names.Identity, IdentifierType.Device, "kiosk", Wide(EntityIds.MaxLength, i), IdentityAction.Link));
        }

        h.Driver.Commit();

        // Each bound was reached, so the sizes below are those of the largest customer, not of a smaller one.
        var context = h.Context(customer)!;
        Assert.Equal(new IdentitySettings().MaxIdentifiersPerCustomer, context.Identifiers.Count);
        Assert.Equal(new Domain.Context.ContextSettings().MaxCartProducts, context.Web.CartQuantities.Count);
        Assert.Equal(new Domain.Context.ContextSettings().MaxRecentViews, context.Web.RecentViews.Count);
        Assert.Equal(new Domain.Context.ContextSettings().MaxZonesPerVisit, context.InStore.ZonesVisited.Count);
        Assert.Equal(TextLimits.PreferredCategories, context.Relationship!.PreferredCategories.Count);
        var kiosk = h.AllState().Single(s => s.Store == ProductTopics.IdentityLinksStore && s.Key == "device:kiosk").Value;
        Assert.Equal(IdentityState.MostCustomersKept, Domain.State.IdentityStateEncoding.Decode(kiosk).LinkedCustomers.Count);
        Assert.Empty(h.Driver.ReadOutput(h.Topology.DeadLetterTopic));

        var largest = h.Driver.WrittenTopics
            .SelectMany(topic => h.Driver.ReadOutput(topic).Select(record => (Topic: topic, Bytes: record.ContentBytes)))
            .OrderByDescending(r => r.Bytes)
            .ToList();
        var summary = string.Join(", ", largest.GroupBy(r => r.Topic).Select(g => $"{g.Key} {g.Max(r => r.Bytes):N0}"));
        Assert.True(largest[0].Bytes + RecordOverhead <= KafkaRecordLimit, $"largest records by topic: {summary}");
        Testing.TestRunReport.Note($"largest customer: its largest record is {largest[0].Bytes:N0} bytes on {largest[0].Topic} (limit {KafkaRecordLimit:N0})");
    }
}
