using System.Security.Cryptography;
using System.Text;
using Customer360.Streaming.Host.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Guards every endpoint that shows customer data: the key when one is required (<see cref="HttpOptions.RequiresKey"/>),
/// and headers that keep the browser from running or loading anything that is not ours.
/// </summary>
internal sealed class PageAccess : IEndpointFilter
{
    /// <summary>Only our own script, stylesheet and event streams; no inline script or style, no frames, no plugins.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public const string KeyHeader = "X-Api-Key";

    private readonly byte[]? _keyDigest;

    public PageAccess(IOptions<HttpOptions> options)
    {
        var http = options.Value;
        _keyDigest = http.RequiresKey ? Digest(http.ApiKey) : null;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (_keyDigest is not null && !Presented(http.Request, _keyDigest))
        {
            // Basic: a browser asks for the key itself (any user name, the key as password) and resends it with
            // every request of the page, its event streams included.
            headers.WWWAuthenticate = "Basic realm=\"Customer360\", charset=\"UTF-8\"";
            return Results.Text("An API key is required (header X-Api-Key, or HTTP basic auth with the key as password).\n", statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }

    private static bool Presented(HttpRequest request, byte[] expected)
    {
        if (request.Headers[KeyHeader] is [{ } key])
        {
            return Matches(key, expected);
        }

        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = credentials.IndexOf(':', StringComparison.Ordinal);
                return colon >= 0 && Matches(credentials[(colon + 1)..], expected);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Compared as digests in constant time: neither the key's content nor its length shows in the timing.</summary>
    private static bool Matches(string presented, byte[] expected) => CryptographicOperations.FixedTimeEquals(Digest(presented), expected);

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
