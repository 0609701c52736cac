using System.Text.RegularExpressions;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.IntegrationTests.Context;
using Customer360.Streaming.Testing;
using Microsoft.Playwright;

namespace Customer360.Streaming.IntegrationTests.Web;

/// <summary>
/// The store floor, the single view and the overview as people see them: a real <c>c360 run</c> (the shipped rules,
/// the embedded broker, a redis-server) and Debian's Chromium. Screenshots go to <c>artifacts/screenshots/</c>.
/// </summary>
public sealed partial class PagesInBrowserTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    private const string Store = "berlin-mitte";
    private const string Hostile = "<script>alert(1)</script>";

    // Distinctive ids, so the check that none reaches the log cannot pass by accident or fail on a common word.
    private const string Ada = "cust-browser-ada";
    private const string Ben = "cust-browser-ben";
    private const string Mallory = "cust-browser-mallory";

    private const string SlashedVisitor = "w/browser+anon==";
    private const string AnonymousSlashed = "anon:web:" + SlashedVisitor;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_store_floor_lists_who_Redis_holds_present_and_a_new_entry_appears_live_and_the_single_view_explains_a_trigger_and_shows_markup_as_text()
    {
        redis.SkipUnlessAvailable();
        await using var chromium = await Chromium.StartAsync();
        await using var run = await ProcessorOnItsOwnCluster.StartAsync(nameof(PagesInBrowserTests), partitions: 2, redis, registry, withRules: true);
        using var processor = run.StartProcessor();
        Assert.True(await run.WaitForReadyAsync(processor), "never ready: " + processor.AllOutput);
        var topics = run.Topics;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // The relationship and the links first, so every channel event finds its customer.
        await run.Input.ValidAsync(topics.Relationship, Ada, Profile(Ada, "GOLD", "loyal", now - 5_000));
        await run.Input.ValidAsync(topics.Relationship, Ben, Profile(Ben, "SILVER", "families", now - 5_000));
        await run.Input.ValidAsync(topics.Relationship, Mallory, Profile(Mallory, "BASIC", Hostile, now - 5_000));
        await LinkAsync(run, IdentifierType.Web, "w-ada", Ada, now - 4_000);
        await LinkAsync(run, IdentifierType.Device, "d-ada", Ada, now - 4_000);
        await LinkAsync(run, IdentifierType.Device, "d-ben", Ben, now - 4_000);
        await LinkAsync(run, IdentifierType.Device, "d-mallory", Mallory, now - 4_000);
        var linked = await run.WaitForContextsAsync([Ada, Ben, Mallory], c => c.Relationship is not null && c.Identifiers.Count > 0, Patience);
        Assert.True(linked.Count == 3, "profiles and links did not reach Redis: " + processor.AllOutput);

        // Ada fills a cart on the web; Ben and Mallory walk into the store.
        await run.Input.ValidAsync(topics.Clickstream, "web:w-ada", new ClickEvent(
            Guid.NewGuid(), now - 3_000, topics.Clickstream, ClickType.AddToCart, "w-ada", null, "s-ada", "https://shop.example/tv", "tv-55", "electronics", 129.90m, 1, 129.90m));
        await run.Input.ValidAsync(topics.Beacon, "device:d-ben", Enter(topics.Beacon, now - 2_000));
        await run.Input.ValidAsync(topics.Beacon, "device:d-mallory", Enter(topics.Beacon, now - 2_000));
        Assert.True(await EventuallyAsync(async () => (await run.Redis.ReadPresenceAsync(Store)).Count == 2), "Ben and Mallory never became present");

        var page = await chromium.Browser.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);

        // The store floor shows exactly who Redis holds as present, by pseudonym only.
        await page.GotoAsync(new Uri(run.BaseAddress, $"/stores/{Store}").ToString());
        var present = await run.Redis.ReadPresenceAsync(Store);
        Assert.Equal(present.Keys.Select(TriggerRecordWriter.Pseudonym).Order(StringComparer.Ordinal), await VisitorsAsync(page));
        Assert.Equal("2 customers present", await page.Locator(".present-count").InnerTextAsync());
        Assert.DoesNotContain(Ben, await page.ContentAsync(), StringComparison.Ordinal);

        // Ada's beacon ENTER arrives on the open page, without a reload (the marker set in this document survives).
        await page.EvaluateAsync("() => { window.c360Marker = 'same document'; }");
        await run.Input.ValidAsync(topics.Beacon, "device:d-ada", Enter(topics.Beacon, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        await page.Locator($"tr[data-visitor='{TriggerRecordWriter.Pseudonym(Ada)}']").WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal("same document", await page.EvaluateAsync<string>("() => window.c360Marker"));
        Assert.Equal((await run.Redis.ReadPresenceAsync(Store)).Keys.Select(TriggerRecordWriter.Pseudonym).Order(StringComparer.Ordinal), await VisitorsAsync(page));
        await Chromium.ScreenshotAsync(page, "store-floor");

        // The single view: relationship, cart, where each group came from and how old it is, and the trigger explained.
        await page.GotoAsync(new Uri(run.BaseAddress, $"/customers/{Ada}").ToString());
        Assert.Equal("GOLD", await page.Locator("[data-field=tier]").InnerTextAsync());
        Assert.Contains("value 129.90", await page.Locator("[data-field=cart]").InnerTextAsync(), StringComparison.Ordinal);
        var relationshipSource = await page.Locator(".provenance[data-group=relationship]").InnerTextAsync();
        Assert.Matches(RelationshipProvenance(), relationshipSource);
        Assert.Matches(Age(), await page.Locator(".provenance[data-group=web] .age").InnerTextAsync());
        var decision = page.Locator("#decisions .decision.fired", new PageLocatorOptions { HasText = "cart-reminder-in-store" });
        await decision.First.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Patience.TotalMilliseconds });
        var explained = Spaces().Replace(await decision.First.InnerTextAsync(), " ");
        Assert.True(explained.Contains("context.cart.value > 0 saw 129.9 ", StringComparison.Ordinal) && explained.Contains("context.inStore.store == relationship.homeStore saw 'berlin-mitte'", StringComparison.Ordinal), explained);
        await Chromium.ScreenshotAsync(page, "customer");

        // A segment of markup is shown as text: no script runs, no dialog opens.
        await page.GotoAsync(new Uri(run.BaseAddress, $"/customers/{Mallory}").ToString());
        Assert.Equal(Hostile, await page.Locator("[data-field=segment]").InnerTextAsync());
        await page.WaitForTimeoutAsync(1_500);
        Assert.Empty(dialogs);

        // The search box takes an identifier and leads to its customer. Searched from another customer's page, so the
        // address matches only once the search has led there. The address is polled: WaitForURLAsync waits for a load
        // event it can miss when the document changes as it subscribes (it timed out in CI on a page that had loaded).
        await page.FillAsync("input[name=q]", "web:w-ada");
        await page.PressAsync("input[name=q]", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(CustomerAddress(Ada), new PageAssertionsToHaveURLOptions { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal("GOLD", await page.Locator("[data-field=tier]").InnerTextAsync());

        // A store's name leads to its floor; an id Redis holds no context for says so instead of opening an empty page.
        await page.FillAsync("input[name=q]", "berlin mitte");
        await page.PressAsync("input[name=q]", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(StoreAddress(), new PageAssertionsToHaveURLOptions { Timeout = (float)Patience.TotalMilliseconds });
        await page.FillAsync("input[name=q]", Ada + "-typo");
        await page.PressAsync("input[name=q]", "Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Nothing found", new LocatorAssertionsToHaveTextOptions { Timeout = (float)Patience.TotalMilliseconds });

        // A visitor whose cookie id holds a slash (base64 ids do) is found and shown, page and context document alike.
        // ASP.NET leaves %2F encoded in a route value, so both read the id as "…%2F…" and found no context.
        await run.Input.ValidAsync(topics.Clickstream, "web:" + SlashedVisitor, new ClickEvent(
            Guid.NewGuid(), now - 1_000, topics.Clickstream, ClickType.AddToCart, SlashedVisitor, null, "s-anon", "https://shop.example/cable", "cable-1", "electronics", 49.90m, 1, 49.90m));
        var anonymous = await run.WaitForContextsAsync([AnonymousSlashed], c => c.Web.CartItems.Count > 0, Patience);
        Assert.True(anonymous.Count == 1, "the slashed visitor's context did not reach Redis: " + processor.AllOutput);
        await page.FillAsync("input[name=q]", "web:" + SlashedVisitor);
        await page.PressAsync("input[name=q]", "Enter");
        await Assertions.Expect(page.Locator("[data-field=cart]")).ToContainTextAsync("value 49.90", new LocatorAssertionsToContainTextOptions { Timeout = (float)Patience.TotalMilliseconds });
        using (var http = new HttpClient { BaseAddress = run.BaseAddress })
        {
            using var document = await http.GetAsync(new Uri($"/customers/{Uri.EscapeDataString(AnonymousSlashed)}/context", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, document.StatusCode);
            Assert.Contains("\"cartValue\":49.9", await document.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        await page.GotoAsync(run.BaseAddress.ToString());
        Assert.Equal("3", await page.Locator($"td[data-store={Store}]").InnerTextAsync());
        await Chromium.ScreenshotAsync(page, "overview");

        // Customer ids never reach the log, though every page above showed one.
        Assert.All(new[] { Ada, Ben, Mallory }, id => Assert.DoesNotContain(id, processor.AllOutput, StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> VisitorsAsync(IPage page) =>
        [.. (await page.Locator("table.visitors tr[data-visitor]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.visitor)")).Order(StringComparer.Ordinal)];

    private static Task LinkAsync(ProcessorOnItsOwnCluster run, IdentifierType type, string value, string customer, long at)
    {
        var link = new IdentityLink(Guid.NewGuid(), at, run.Topics.Identity, type, value, customer, IdentityAction.Link);
        return run.Input.ValidAsync(run.Topics.Identity, link.Identifier, link);
    }

    private static BeaconSighting Enter(string topic, long at) => new(Guid.NewGuid(), at, topic, Store, "entrance", Proximity.Immediate, -60, SightingType.Enter);

    private static RelationshipProfile Profile(string customer, string tier, string segment, long at) =>
        new(Guid.NewGuid(), at, "relationship", customer, tier, segment, 2_400m, 0.1, ["electronics"], Store,
            new Consent(Email: true, Push: true, InApp: true, Location: true), null, "Europe/Berlin", "de-DE");

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        return false;
    }

    [GeneratedRegex(@"from \S+relationship\S*, partition \d+, offset \d+, event time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+ s ago")]
    private static partial Regex RelationshipProvenance();

    [GeneratedRegex($"/stores/{Store}$")]
    private static partial Regex StoreAddress();

    private static Regex CustomerAddress(string customer) => new($"/customers/{Regex.Escape(customer)}$");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^\d+ (s|min) ago$")]
    private static partial Regex Age();
}
