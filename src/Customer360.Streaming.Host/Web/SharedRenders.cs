namespace Customer360.Streaming.Host.Web;

/// <summary>
/// One render of a live page part per <see cref="LiveStream.Interval"/>, shared by everyone watching that page:
/// fifty associates on one store floor cost the process what one does. What costs is the number of distinct live
/// pages, so at most <c>maxLivePages</c> (<c>Http:MaxLivePages</c>) are live at once; a viewer of a page already
/// live always joins. A viewer arriving while a render is under way waits for it; pages nobody watched for
/// <see cref="Forgotten"/> are dropped.
/// </summary>
internal sealed class SharedRenders(TimeProvider time, int maxLivePages)
{
    /// <summary>How long a page's last render is kept after its last viewer asked for it.</summary>
    public static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Render> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _viewers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Pages whose last render is kept.</summary>
    public int Pages
    {
        get
        {
            lock (_gate)
            {
                return _latest.Count;
            }
        }
    }

    /// <summary>
    /// Counts a viewer of <paramref name="page"/> until the lease is disposed; null when the page is not live yet and
    /// the most pages already are.
    /// </summary>
    public IDisposable? Join(string page)
    {
        lock (_gate)
        {
            var watching = _viewers.GetValueOrDefault(page);
            if (watching == 0 && _viewers.Count >= maxLivePages)
            {
                return null;
            }

            _viewers[page] = watching + 1;
        }

        return new Lease(this, page);
    }

    /// <summary>The current render of <paramref name="page"/> (a live stream's path): the shared one while it is fresh, else a new one from <paramref name="render"/>.</summary>
    public Task<string> GetAsync(string page, Func<Task<string>> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        var now = time.GetTimestamp();
        Render current;
        lock (_gate)
        {
            if (!_latest.TryGetValue(page, out current!) || time.GetElapsedTime(current.Started, now) >= LiveStream.Interval)
            {
                // Started outside the lock, once, by whichever viewer asks for the value first.
                current = new Render(now, new Lazy<Task<string>>(render));
                _latest[page] = current;
            }

            if (time.GetElapsedTime(_lastSweep, now) >= Forgotten)
            {
                _lastSweep = now;
                foreach (var stale in _latest.Where(e => time.GetElapsedTime(e.Value.Started, now) >= Forgotten).Select(e => e.Key).ToList())
                {
                    _latest.Remove(stale);
                }
            }
        }

        return current.Html.Value;
    }

    private void Leave(string page)
    {
        lock (_gate)
        {
            if (_viewers.GetValueOrDefault(page) <= 1)
            {
                _viewers.Remove(page);
            }
            else
            {
                _viewers[page]--;
            }
        }
    }

    private sealed record Render(long Started, Lazy<Task<string>> Html);

    private sealed class Lease(SharedRenders renders, string page) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                renders.Leave(page);
            }
        }
    }
}
