using Microsoft.AspNetCore.Http.Features;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Gives route values back the slashes their ids had. Kestrel decodes a request's path except for <c>%2F</c> (so an
/// escaped slash cannot change which route matches), and routing leaves those three characters in the value: an
/// anonymous visitor's base64 cookie id or a customer id with a slash was looked up as something else, and the page
/// said there was no context. The raw request target still holds each segment as it was sent.
/// </summary>
internal static class EscapedSlashes
{
    /// <summary>Middleware, after routing: each route value holding an escaped slash replaced by its segment, fully decoded.</summary>
    public static Task RestoreAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        var values = http.Request.RouteValues;
        foreach (var (name, value) in values.ToList())
        {
            if (value is string text && text.Contains("%2F", StringComparison.OrdinalIgnoreCase))
            {
                values[name] = AsSent(text, http.Features.Get<IHttpRequestFeature>()?.RawTarget);
            }
        }

        return next(http);
    }

    /// <summary>
    /// The segment of <paramref name="rawTarget"/> that Kestrel turned into <paramref name="routeValue"/>, decoded whole;
    /// <paramref name="routeValue"/> itself when no segment matches (a path Kestrel normalised, such as one with "..").
    /// </summary>
    public static string AsSent(string routeValue, string? rawTarget)
    {
        ArgumentNullException.ThrowIfNull(routeValue);
        if (string.IsNullOrEmpty(rawTarget))
        {
            return routeValue;
        }

        var path = rawTarget.Split('?', 2)[0];
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            // The absolute form a proxy may send: its path, still escaped.
            path = absolute.AbsolutePath;
        }

        // What the value would read with its escaped slashes decoded too; the segment it came from decodes to the same.
        var meant = routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        foreach (var segment in path.Split('/'))
        {
            if (segment.Contains("%2F", StringComparison.OrdinalIgnoreCase) && Uri.UnescapeDataString(segment) == meant)
            {
                return meant;
            }
        }

        return routeValue;
    }
}
