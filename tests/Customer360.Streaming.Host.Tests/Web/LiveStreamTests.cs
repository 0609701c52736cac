using System.Text;
using Customer360.Streaming.Host.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>
/// The live part of a page as a browser gets it: an event stream of renders, or, past <c>Http:MaxLivePages</c>, a
/// refusal that tells live.js when to ask again. The fake clock holds each stream after its first render.
/// </summary>
public sealed class LiveStreamTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Stopping _lifetime = new();
    private readonly ServiceProvider _services;

    public LiveStreamTests()
    {
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<IHostApplicationLifetime>(_lifetime)
            .AddSingleton(new SharedRenders(_time, maxLivePages: 1))
            .BuildServiceProvider();
    }

    [Fact]
    public async Task Past_the_most_live_pages_a_new_page_is_refused_with_when_to_ask_again_and_is_served_once_one_closes()
    {
        using var store = Request("/stores/berlin-mitte/live");
        var storeStream = LiveStream.ServeAsync(store.Http, () => Task.FromResult("<p>2 customers present</p>"));
        await store.FirstWriteAsync();
        Assert.Equal("text/event-stream; charset=utf-8", store.Http.Response.ContentType);
        Assert.Equal("data: <p>2 customers present</p>\n\n", store.Body);

        using var customer = Request("/customers/c-1/live");
        await LiveStream.ServeAsync(customer.Http, () => Task.FromResult("<p>never rendered</p>")).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, customer.Http.Response.StatusCode);
        Assert.Equal("30", customer.Http.Response.Headers.RetryAfter.ToString());
        Assert.Contains("Http:MaxLivePages", customer.Body, StringComparison.Ordinal);

        // Another associate on the same floor is a viewer of a page already live, not another page.
        using var colleague = Request("/stores/berlin-mitte/live");
        var colleagueStream = LiveStream.ServeAsync(colleague.Http, () => Task.FromResult("<p>not rendered again</p>"));
        await colleague.FirstWriteAsync();
        Assert.Equal("data: <p>2 customers present</p>\n\n", colleague.Body);

        await store.LeaveAsync(storeStream);
        await colleague.LeaveAsync(colleagueStream);
        using var again = Request("/customers/c-1/live");
        var againStream = LiveStream.ServeAsync(again.Http, () => Task.FromResult("<p>Ada</p>\n<p>GOLD</p>"));
        await again.FirstWriteAsync();
        Assert.Equal(StatusCodes.Status200OK, again.Http.Response.StatusCode);
        Assert.Equal("data: <p>Ada</p>\ndata: <p>GOLD</p>\n\n", again.Body);

        _lifetime.Stop();
        await againStream.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public void Dispose()
    {
        _lifetime.Stop();
        _services.Dispose();
        _lifetime.Dispose();
    }

    private Viewer Request(string path) => new(_services, path);

    private sealed class Viewer : IDisposable
    {
        private readonly MemoryStream _body = new();
        private readonly CancellationTokenSource _gone = new();

        public Viewer(IServiceProvider services, string path)
        {
            Http = new DefaultHttpContext { RequestServices = services, RequestAborted = _gone.Token };
            Http.Request.Path = path;
            Http.Response.Body = _body;
        }

        public DefaultHttpContext Http { get; }

        public string Body => Encoding.UTF8.GetString(_body.ToArray());

        /// <summary>The first render reaches the body, then the stream waits for a clock that does not move.</summary>
        public async Task FirstWriteAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (_body.Length == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(_body.Length > 0, "nothing was written to the stream");
        }

        /// <summary>The browser closes the page.</summary>
        public async Task LeaveAsync(Task stream)
        {
            await _gone.CancelAsync();
            await stream.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        public void Dispose()
        {
            _gone.Dispose();
            _body.Dispose();
        }
    }

    private sealed class Stopping : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stop();

        public void Stop() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
