using System.Text;
using Avro.Generic;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline.Tests.Triggers;

/// <summary>
/// A store presence nobody renews ends <c>Context:StoreVisitTimeoutMinutes</c> after the last sighting even when the
/// customer sends nothing more: store staff get the leave, and the context (so Redis and the store page) no longer
/// places them in the store. Before, it ended only at the customer's next event, which may never come.
/// </summary>
public sealed class StorePresenceLapseTests
{
    private const long LastSighting = 190_000;

    private static readonly RuleSet Shipped = RuleCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, RuleCatalog.FileName));
    private static readonly ProductTopicNames Names = PipelineHarness.Names;
    private static readonly long TimeoutMs = (long)new Domain.Context.ContextSettings().StoreVisitTimeout.TotalMilliseconds;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_customer_whose_exit_no_beacon_saw_leaves_the_store_by_the_wall_clock_once_the_visit_timeout_passed(bool rulesLoaded)
    {
        // The lapse's timer lives in the customer's trigger state; with no rule file there was none, and the customer
        // stayed in the store, in Redis and on the store page, until an event of their own came.
        var h = InTheStore(rulesLoaded);

        h.IdleUntil(PipelineHarness.T0 + LastSighting + TimeoutMs - 60_000);
        Assert.Equal("berlin-mitte", h.Context("c-1")!.InStore.StoreId);
        Assert.DoesNotContain("CUSTOMER_LEFT", StoreEventTypes(h));

        h.IdleUntil(PipelineHarness.T0 + LastSighting + TimeoutMs + 60_000);

        Assert.Null(h.Context("c-1")!.InStore.StoreId);
        var left = Decode(h, h.Driver.ReadOutput(Names.StoreEvents)[^1]);
        Assert.Equal("CUSTOMER_LEFT", ((GenericEnum)left["type"]).Value);
        Assert.Equal(PipelineHarness.Store.StoreId, Encoding.UTF8.GetString(h.Driver.ReadOutput(Names.StoreEvents)[^1].Key!));
        Assert.Equal(PipelineHarness.T0 + LastSighting + TimeoutMs + 1, EventTimeMs(left));
    }

    [Fact]
    public void Other_customers_events_carry_stream_time_past_the_timeout_and_the_silent_customer_leaves()
    {
        var h = InTheStore();
        var neighbour = PipelineHarness.SamePartitionAs("c-1");

        h.Profile(neighbour, LastSighting + TimeoutMs + (2 * (long)h.Settings.TimerInterval.TotalMilliseconds));

        Assert.Null(h.Context("c-1")!.InStore.StoreId);
        Assert.Equal(1, StoreEventTypes(h).Count(type => type == "CUSTOMER_LEFT"));
    }

    [Fact]
    public void Sightings_that_keep_coming_keep_the_customer_in_the_store_and_the_leave_comes_once_they_stop()
    {
        var h = InTheStore();
        var last = LastSighting;
        for (var minutes = 10; minutes <= 90; minutes += 10)
        {
            last = LastSighting + (minutes * 60_000L);
            h.Beacon("d1", last, "electronics");
        }

        Assert.Equal("berlin-mitte", h.Context("c-1")!.InStore.StoreId);
        Assert.DoesNotContain("CUSTOMER_LEFT", StoreEventTypes(h));

        h.IdleUntil(PipelineHarness.T0 + last + TimeoutMs + 60_000);

        Assert.Null(h.Context("c-1")!.InStore.StoreId);
        Assert.Equal(1, StoreEventTypes(h).Count(type => type == "CUSTOMER_LEFT"));
    }

    [Fact]
    public void A_customer_who_left_through_the_exit_gets_no_second_leave_when_the_timeout_passes()
    {
        var h = InTheStore();
        h.Beacon("d1", LastSighting + 60_000, "entrance", SightingType.Exit);

        h.IdleUntil(PipelineHarness.T0 + LastSighting + TimeoutMs + 120_000);

        Assert.Equal(1, StoreEventTypes(h).Count(type => type == "CUSTOMER_LEFT"));
    }

    /// <summary>A known customer walks in and is last seen in electronics at <see cref="LastSighting"/>; no exit follows. The shipped rules are loaded unless the test says otherwise.</summary>
    private static PipelineHarness InTheStore(bool rulesLoaded = true)
    {
        var h = new PipelineHarness(rules: rulesLoaded ? Shipped : null);
        h.Profile("c-1", 0);
        h.Link("device:d1", "c-1", 1);
        h.Beacon("d1", 180_000, "entrance", SightingType.Enter);
        h.Beacon("d1", LastSighting, "electronics");
        Assert.Equal("berlin-mitte", h.Context("c-1")!.InStore.StoreId);
        return h;
    }

    private static List<string> StoreEventTypes(PipelineHarness h) =>
        [.. h.Driver.ReadOutput(Names.StoreEvents).Select(r => ((GenericEnum)Decode(h, r)["type"]).Value)];

    private static long EventTimeMs(GenericRecord record) => (long)((DateTime)record["eventTime"] - DateTime.UnixEpoch).TotalMilliseconds;

    private static GenericRecord Decode(PipelineHarness h, OutgoingRecord record) => new AvroDeserializer<GenericRecord>(h.Registry).Deserialize(record.Value);
}
