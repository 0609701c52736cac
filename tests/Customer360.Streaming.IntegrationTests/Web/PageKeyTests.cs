using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Customer360.Streaming.IntegrationTests.Context;
using Customer360.Streaming.Testing;
using Microsoft.Playwright;

namespace Customer360.Streaming.IntegrationTests.Web;

/// <summary>
/// Pages bound beyond loopback show customer data to the network, so <c>c360 run</c> refuses to start without
/// <c>Http:ApiKey</c>, and with one every request for a page, an event stream or a context must carry it.
/// </summary>
public sealed class PageKeyTests(RedisServerFixture redis, SchemaRegistryFixture registry)
{
    private const string AllInterfaces = "0.0.0.0";

    [Fact]
    public async Task Bound_beyond_loopback_the_pages_refuse_to_start_without_a_key_and_with_one_answer_401_to_requests_without_it()
    {
        redis.SkipUnlessAvailable();
        await using var run = await ProcessorOnItsOwnCluster.StartAsync(nameof(PageKeyTests), partitions: 1, redis, registry);

        using (var keyless = run.StartProcessor(new Dictionary<string, string?> { ["C360__Http__Host"] = AllInterfaces }))
        {
            Assert.True(await keyless.WaitForExitAsync(TimeSpan.FromSeconds(60)), "started without a key: " + keyless.AllOutput);
            Assert.Equal(2, keyless.ExitCode);
            Assert.Contains("Http:ApiKey is required when Http:Host is not a loopback address", keyless.AllOutput, StringComparison.Ordinal);
        }

        var key = "key-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var keyed = run.StartProcessor(new Dictionary<string, string?> { ["C360__Http__Host"] = AllInterfaces, ["C360__Http__ApiKey"] = key });
        Assert.True(await run.WaitForReadyAsync(keyed), "never ready (health needs no key): " + keyed.AllOutput);
        using var http = new HttpClient { BaseAddress = run.BaseAddress };

        foreach (var path in new[] { "/", "/stores/berlin-mitte", "/customers/c-1", "/customers/c-1/live", "/customers/c-1/context", "/search?q=web:w-1", "/assets/live.js" })
        {
            using var anonymous = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{path} without the key: {anonymous.StatusCode}");
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/", request => request.Headers.Add("X-Api-Key", key + "x")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/", request => request.Headers.Add("X-Api-Key", key)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/", request =>
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("associate:" + key)))));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/health/live", _ => { }));

        // Every page says where its scripts, styles and requests may come from (our own origin only) and forbids sniffing.
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/stores/berlin-mitte", UriKind.Relative)))
        {
            request.Headers.Add("X-Api-Key", key);
            using var storeFloor = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var policy = string.Join("; ", storeFloor.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(storeFloor.Headers.GetValues("X-Content-Type-Options")));
        }

        // A browser given the key (as basic auth) gets the page and its event stream.
        await using var chromium = await Chromium.StartAsync();
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { HttpCredentials = new HttpCredentials { Username = "associate", Password = key } });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(run.BaseAddress, "/stores/berlin-mitte").ToString());
        Assert.Equal(200, response!.Status);
        await page.Locator("section.live[data-updates]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.DoesNotContain(key, keyed.AllOutput, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, Action<HttpRequestMessage> prepare)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        prepare(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
