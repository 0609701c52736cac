namespace Customer360.Streaming.Host.Web;

/// <summary>
/// One render of a live page part per <see cref="LiveStream.Interval"/>, shared by everyone watching that page:
/// fifty associates on one store floor cost the process what one does. What costs is the number of distinct live
/// pages, so at most <c>maxLivePages</c> (<c>Http:MaxLivePages</c>) are live at once; a viewer of a page already
/// live always joins. A viewer arriving while a render is under way waits for it. A page, its last render with it,
/// is dropped when its last viewer leaves, so what is kept never outgrows the live pages.
/// </summary>
internal sealed class SharedRenders(TimeProvider time, int maxLivePages)
{
    private readonly Dictionary<string, LivePage> _live = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Pages with at least one viewer.</summary>
    public int Pages
    {
        get
        {
            lock (_gate)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>
    /// A viewer of <paramref name="page"/> (a live stream's path), counted until disposed; null when the page is not
    /// live yet and the most pages already are.
    /// </summary>
    public Viewer? Join(string page)
    {
        lock (_gate)
        {
            if (!_live.TryGetValue(page, out var live))
            {
                if (_live.Count >= maxLivePages)
                {
                    return null;
                }

                live = new LivePage();
                _live[page] = live;
            }

            live.Viewers++;
            return new Viewer(this, page, live);
        }
    }

    private Task<string> Current(LivePage page, Func<Task<string>> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        var now = time.GetTimestamp();
        Render current;
        lock (_gate)
        {
            current = page.Latest is { } latest && time.GetElapsedTime(latest.Started, now) < LiveStream.Interval
                ? latest
                : page.Latest = new Render(now, new Lazy<Task<string>>(render));
        }

        // Started outside the lock, once, by whichever viewer asks for the value first.
        return current.Html.Value;
    }

    private void Leave(string page, LivePage live)
    {
        lock (_gate)
        {
            if (--live.Viewers == 0)
            {
                _live.Remove(page);
            }
        }
    }

    internal sealed record Render(long Started, Lazy<Task<string>> Html);

    internal sealed class LivePage
    {
        public int Viewers { get; set; }

        public Render? Latest { get; set; }
    }

    /// <summary>One open live stream of a page.</summary>
    public sealed class Viewer : IDisposable
    {
        private readonly SharedRenders _renders;
        private readonly string _page;
        private readonly LivePage _live;
        private int _left;

        internal Viewer(SharedRenders renders, string page, LivePage live) => (_renders, _page, _live) = (renders, page, live);

        /// <summary>The page's current render: the shared one while it is fresh, else a new one from <paramref name="render"/>.</summary>
        public Task<string> GetAsync(Func<Task<string>> render) => _renders.Current(_live, render);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                _renders.Leave(_page, _live);
            }
        }
    }
}
