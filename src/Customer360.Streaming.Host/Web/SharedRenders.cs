namespace Customer360.Streaming.Host.Web;

/// <summary>
/// One render of a live page part per <see cref="LiveStream.Interval"/>, shared by everyone watching that page:
/// fifty associates on one store floor cost the process what one does, so the pages cannot take the stream threads'
/// CPU. A viewer arriving while a render is under way waits for it; pages nobody watched for
/// <see cref="Forgotten"/> are dropped.
/// </summary>
internal sealed class SharedRenders(TimeProvider time)
{
    /// <summary>How long a page's last render is kept after its last viewer asked for it.</summary>
    public static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Render> _latest = new(StringComparer.Ordinal);
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

    private sealed record Render(long Started, Lazy<Task<string>> Html);
}
