using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Host.Web.Components;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.Streaming.Host.Tests.WorkerStatuses;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>
/// The pages read Redis, and Redis stops following the customers while the processor holds processing or waits on a
/// dependency. A Redis that refused writes (out of memory) still answered reads, so the store floor went on listing
/// customers present who had left, with nothing to say it was out of date.
/// </summary>
public sealed class PageStalenessTests
{
    [Fact]
    public void A_processor_that_holds_processing_or_waits_on_a_dependency_makes_the_pages_say_they_may_be_out_of_date()
    {
        var thread = Running();
        Assert.Null(PageData.Staleness(Of(thread)));

        thread.Hold("Redis did not take a batch of contexts (RedisServerException OOM: Redis is at its maxmemory and refuses writes; raise maxmemory)");
        Assert.Equal("May be out of date: processing held: Redis did not take a batch of contexts (RedisServerException OOM: Redis is at its maxmemory and refuses writes; raise maxmemory)", PageData.Staleness(Of(thread)));

        thread.Hold(null);
        thread.Paused(Assignment[0], paused: true, "No schema id for subject 'c360.context.v1-value'");
        Assert.Equal("May be out of date: 1 partitions paused, waiting to retry: No schema id for subject 'c360.context.v1-value'", PageData.Staleness(Of(thread)));
    }

    [Fact]
    public void Joining_restoring_and_a_full_buffer_are_not_called_out_of_date()
    {
        // A buffer that fills pauses its partition for moments under load; joining and restoring show as the phase.
        var thread = Running();
        thread.Paused(Assignment[1], paused: true);
        Assert.Null(PageData.Staleness(Of(thread)));

        thread.SetPhase(WorkerPhase.Restoring);
        Assert.Null(PageData.Staleness(Of(thread)));
        Assert.Null(PageData.Staleness(null));
    }

    [Fact]
    public async Task The_store_floor_still_lists_who_Redis_holds_present_under_the_notice()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var renderer = new PageRenderer(services, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        var store = new StoreLocation("berlin-mitte", "Berlin Mitte", 52.52, 13.40, 80, 500);
        const string notice = "May be out of date: processing held: Redis did not take a batch of contexts (RedisServerException OOM: Redis is at its maxmemory and refuses writes; raise maxmemory)";

        var html = await renderer.RenderAsync<StoreLive>(new Dictionary<string, object?>
        {
            ["Model"] = new StoreFloorModel(
                store, [new StoreVisitor("v-1a2b", true, "GOLD", [], 0, "electronics", 1_799_999_000_000)], [], [new("electronics", 1)], 1_800_000_000_000, null)
            {
                Staleness = notice,
            },
        });

        Assert.Contains($"<p class=\"problem\" data-field=\"staleness\">{notice}</p>", html, StringComparison.Ordinal);
        Assert.Contains("data-count=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains("v-1a2b", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_single_view_still_shows_the_context_under_the_notice()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var renderer = new PageRenderer(services, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        const string notice = "May be out of date: 1 partitions paused, waiting to retry: the Schema Registry did not answer";
        var context = CustomerContext.Empty("cust-1") with { Version = 7, AsOfMs = 1_799_999_000_000 };

        var html = await renderer.RenderAsync<CustomerLive>(new Dictionary<string, object?>
        {
            ["Model"] = new CustomerPageModel("cust-1", context, [], null, 1_800_000_000_000, null) { Staleness = notice },
        });

        Assert.Contains($"<p class=\"problem\" data-field=\"staleness\">{notice}</p>", html, StringComparison.Ordinal);
        Assert.Contains("Version 7, as of", html, StringComparison.Ordinal);
    }
}
