using Customer360.Streaming.Contracts;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Host.Web.Components;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>The pages' parts without a browser: event framing, the feed's bounds, ages, and what a decision shows.</summary>
public sealed class PagePartsTests
{
    [Fact]
    public void An_event_carries_every_line_of_the_html_so_a_newline_cannot_end_it_early()
    {
        Assert.Equal("data: <p>a</p>\ndata: \ndata: <p>b</p>\n\n", LiveStream.Message("<p>a</p>\r\n\n<p>b</p>"));
    }

    [Theory]
    [InlineData(-1, "never")]
    [InlineData(0, "0 s ago")]
    [InlineData(59_999, "59 s ago")]
    [InlineData(60_000, "1 min ago")]
    [InlineData(7_200_000, "2 h ago")]
    [InlineData(172_800_000, "2 d ago")]
    public void Ages_read_as_people_say_them(long before, string expected)
    {
        const long Now = 1_800_000_000_000;
        Assert.Equal(expected, PageText.Age(Now, before < 0 ? -1 : Now - before));
    }

    [Fact]
    public void The_feed_keeps_each_customers_latest_decisions_newest_first_and_drops_the_oldest()
    {
        using var registry = new SchemaRegistryClient(new SchemaRegistryOptions { Url = "http://127.0.0.1:9" });
        using var feed = new LiveFeed(Options.Create(new KafkaOptions()), ProductTopicNames.Default, registry, TimeProvider.System, NullLogger<LiveFeed>.Instance);

        for (var i = 0; i < 12; i++)
        {
            feed.Add(Decision(i, "c-1"));
        }

        feed.Add(Decision(100, "c-2"));

        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => (long)i), feed.DecisionsFor("c-1").Select(d => d.TimeMs));
        Assert.Equal([100L, 11L, 10L], feed.LatestDecisions(3).Select(d => d.TimeMs));
        Assert.Empty(feed.DecisionsFor("c-3"));
        Assert.Equal(13, feed.Sequence);
    }

    [Fact]
    public async Task A_held_back_decision_says_why_and_every_value_is_encoded()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var renderer = new PageRenderer(services, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        var held = new ObservedDecision(0, "cart-reminder", "<b>c-1</b>", false, "QUIET_HOURS", "quiet hours 22:00-07:00 <i>local</i>",
            [new ConditionSeen("context.cart.value > 0", "84.90", true)], null);

        var html = await renderer.RenderAsync<DecisionList>(new Dictionary<string, object?> { ["Decisions"] = new[] { held }, ["ShowCustomer"] = true });

        Assert.Contains("held back: quiet hours", html, StringComparison.Ordinal);
        Assert.Contains("quiet hours 22:00-07:00 &lt;i&gt;local&lt;/i&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;c-1&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/customers/%3Cb%3Ec-1%3C%2Fb%3E\"", html, StringComparison.Ordinal);
        Assert.Contains("context.cart.value &gt; 0", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 page views, started 2 min ago")]
    [InlineData(1, "1 page view, started 2 min ago")]
    [InlineData(3, "3 page views, started 2 min ago")]
    public async Task A_session_counts_its_page_views_apart_from_the_last_page_any_click_was_on(int pageViews, string expected)
    {
        // A session of searches and cart changes has visited pages but viewed none: "0 pages" beside a last page read as a contradiction.
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var renderer = new PageRenderer(services, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        const long Now = 1_800_000_000_000;
        var context = Domain.Context.CustomerContext.Empty("c-1") with
        {
            Version = 4,
            AsOfMs = Now - 60_000,
            Web = new Domain.Context.WebView { SessionId = "s-1", SessionStartedMs = Now - 120_000, LastActivityMs = Now - 60_000, PagesInSession = pageViews, LastPageUrl = "/cart" },
        };

        var html = await renderer.RenderAsync<CustomerLive>(new Dictionary<string, object?>
        {
            ["Model"] = new CustomerPageModel("c-1", context, [], null, Now, null),
        });

        Assert.Contains($"<dt>Session</dt><dd>{expected}</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Last page</dt><dd>/cart</dd>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Running", "lag 12 records (1.5 s)")]
    [InlineData("Restoring", "lag at least 12 records (1.5 s)")]
    [InlineData("Joining", "lag at least 12 records (1.5 s)")]
    public async Task The_overview_shows_the_lag_as_a_lower_bound_while_the_processor_is_not_running(string phase, string expected)
    {
        // A thread that joins, restores or is replaced holds no partitions meanwhile: their lag is nobody's to count.
        var html = await RenderOverviewAsync(Overview(phase));

        Assert.Contains($"<span data-field=\"lag\">{expected}</span>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, "1 dead letter since the processor started")]
    [InlineData(3_456, "3,456 dead letters since the processor started")]
    public async Task The_overview_says_how_many_records_the_processor_dead_lettered(long deadLetters, string? expected)
    {
        // An engineer watching the overview saw pace and lag, but nothing of records set aside as bad input.
        var html = await RenderOverviewAsync(Overview() with { DeadLetters = deadLetters });

        if (expected is null)
        {
            Assert.DoesNotContain("dead letter", html, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"<span data-field=\"dead-letters\">{expected}</span>", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(113_185, "The broker deleted 113,185 records before the processor read them: no context will show them. Their topics keep less than the processor fell behind (c360_records_deleted_unread_total says which).")]
    public async Task The_overview_says_how_many_input_records_the_broker_deleted_before_the_processor_read_them(long deletedUnread, string? expected)
    {
        // Found in the demo at 100,000 customers: the overview showed pace and lag while input was being lost for good.
        var html = await RenderOverviewAsync(Overview() with { DeletedUnread = deletedUnread });

        if (expected is null)
        {
            Assert.DoesNotContain("deleted", html, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"<p class=\"problem\" data-field=\"deleted-unread\">{expected}</p>", html, StringComparison.Ordinal);
        }
    }

    /// <summary>An overview of no stores and no decisions: 10 events/s, a lag of 12 records (1.5 s).</summary>
    private static OverviewModel Overview(string phase = "Running") => new([], 10, 12, 1.5, phase, [], true, 0, 1_800_000_000_000, null);

    private static async Task<string> RenderOverviewAsync(OverviewModel model)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var renderer = new PageRenderer(services, services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        return await renderer.RenderAsync<HomeLive>(new Dictionary<string, object?> { ["Model"] = model });
    }

    private static ObservedDecision Decision(long time, string customer) => new(time, "rule", customer, true, "NONE", string.Empty, [], "t-" + time);
}
