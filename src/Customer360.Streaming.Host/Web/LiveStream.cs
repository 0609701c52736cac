using System.Text;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Serves a page's live part as server-sent events: renders it every <see cref="Interval"/> (one render shared by
/// every viewer of the page, see <see cref="SharedRenders"/>) and sends it when it differs from what was sent last (so
/// an idle page costs a render, not a transfer). live.js puts each message in place. Ends when the browser goes away
/// or the process stops.
/// </summary>
internal static class LiveStream
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a refused stream is told to wait; live.js waits as long before it asks again.</summary>
    private const int RetryAfterSeconds = 30;

    /// <summary>A comment line now and then keeps proxies from closing a stream that has had nothing new to say.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task ServeAsync(HttpContext http, Func<Task<string>> render)
    {
        ArgumentNullException.ThrowIfNull(http);
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var lifetime = http.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var viewer = http.RequestServices.GetRequiredService<SharedRenders>().Join(http.Request.Path.Value ?? string.Empty);
        if (viewer is null)
        {
            // live.js tries again after a while; the page itself stays as it was served.
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await http.Response.WriteAsync("Too many pages are live at once (Http:MaxLivePages); this one updates when one closes.");
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        string? sent = null;
        var lastWrite = time.GetTimestamp();
        try
        {
            await http.Response.Body.FlushAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                var html = await viewer.GetAsync(render);
                if (html != sent)
                {
                    await http.Response.WriteAsync(Message(html), stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                    sent = html;
                    lastWrite = time.GetTimestamp();
                }
                else if (time.GetElapsedTime(lastWrite) >= KeepAlive)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", stop.Token);
                    await http.Response.Body.FlushAsync(stop.Token);
                    lastWrite = time.GetTimestamp();
                }

                await Task.Delay(Interval, time, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser left or the process is stopping: the stream simply ends.
        }
    }

    /// <summary>One event whose data is <paramref name="html"/>: every line prefixed, since a bare newline would end it.</summary>
    internal static string Message(string html)
    {
        var message = new StringBuilder(html.Length + 64);
        foreach (var line in html.Split('\n'))
        {
            message.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        return message.Append('\n').ToString();
    }
}
