using Customer360.Streaming.Host.Web;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>
/// Every open live page rendered its own copy every half second, Redis reads included: in a demo run, fifty browsers
/// on one store floor took a third of a core more from the process that runs the stream threads.
/// </summary>
public sealed class SharedRendersTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Viewers_of_one_page_share_one_render_per_interval_while_other_pages_render_their_own()
    {
        var renders = new SharedRenders(_time, maxLivePages: 10);
        var storeRenders = 0;
        var homeRenders = 0;
        Task<string> Store() => Task.FromResult($"store #{++storeRenders}");
        Task<string> Home() => Task.FromResult($"home #{++homeRenders}");
        var storeViewers = Enumerable.Range(0, 50).Select(_ => renders.Join("/stores/berlin-mitte/live")!).ToList();
        using var homeViewer = renders.Join("/live")!;

        var seen = await Task.WhenAll(storeViewers.Select(viewer => viewer.GetAsync(Store)));
        Assert.All(seen, html => Assert.Equal("store #1", html));
        Assert.Equal("home #1", await homeViewer.GetAsync(Home));

        _time.Advance(LiveStream.Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal("store #1", await storeViewers[7].GetAsync(Store));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("store #2", await storeViewers[0].GetAsync(Store));
        Assert.Equal(2, storeRenders);
        Assert.Equal(1, homeRenders);
        storeViewers.ForEach(viewer => viewer.Dispose());
    }

    [Fact]
    public async Task A_viewer_arriving_while_a_render_is_under_way_waits_for_that_render_instead_of_starting_another()
    {
        var renders = new SharedRenders(_time, maxLivePages: 10);
        var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        using var one = renders.Join("/customers/c-1/live")!;
        using var another = renders.Join("/customers/c-1/live")!;

        var first = one.GetAsync(() => { started++; return pending.Task; });
        var second = another.GetAsync(() => { started++; return Task.FromResult("another"); });
        pending.SetResult("the one render");

        Assert.Equal("the one render", await first);
        Assert.Equal("the one render", await second);
        Assert.Equal(1, started);
    }

    [Fact]
    public void Viewers_join_pages_already_live_at_any_count_and_a_new_page_waits_while_the_most_pages_are_live()
    {
        // Each live page costs a render every half second (about 3 ms of CPU for a store floor here): the count of
        // distinct live pages is what can take the stream threads' cores, not how many watch them.
        var renders = new SharedRenders(_time, maxLivePages: 2);
        using var mitte = renders.Join("/stores/berlin-mitte/live");
        var altona = renders.Join("/stores/hamburg-altona/live");
        Assert.NotNull(mitte);
        Assert.NotNull(altona);

        Assert.Null(renders.Join("/customers/c-1/live"));
        var viewers = Enumerable.Range(0, 20).Select(_ => renders.Join("/stores/berlin-mitte/live")).ToList();
        Assert.All(viewers, Assert.NotNull);

        altona!.Dispose();
        using var customer = renders.Join("/customers/c-1/live");
        Assert.NotNull(customer);
        Assert.Null(renders.Join("/stores/hamburg-altona/live"));
        viewers.ForEach(v => v!.Dispose());
    }

    /// <summary>
    /// A page's last render used to stay until a sweep a minute later, which only a viewer of some page could start:
    /// someone opening customers' live pages one after another held every one of their renders meanwhile.
    /// </summary>
    [Fact]
    public async Task A_page_is_dropped_with_its_last_viewer_so_pages_opened_one_after_another_are_not_kept()
    {
        var renders = new SharedRenders(_time, maxLivePages: 10);
        using var home = renders.Join("/live")!;
        await home.GetAsync(() => Task.FromResult("home"));
        foreach (var customer in Enumerable.Range(0, 100))
        {
            using var viewer = renders.Join($"/customers/c-{customer}/live")!;
            Assert.Equal($"c-{customer}", await viewer.GetAsync(() => Task.FromResult($"c-{customer}")));
        }

        Assert.Equal(1, renders.Pages);

        var again = renders.Join("/customers/c-1/live")!;
        Assert.Equal("rendered anew", await again.GetAsync(() => Task.FromResult("rendered anew")));
        again.Dispose();
        again.Dispose();
        Assert.Equal(1, renders.Pages);
    }
}
