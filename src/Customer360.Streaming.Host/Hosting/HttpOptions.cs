using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Where the processor serves health and read endpoints (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>Interface to bind; loopback by default so a laptop run exposes nothing.</summary>
    [Required(ErrorMessage = "Http:Host is required (127.0.0.1, 0.0.0.0 or a host name).")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (the pages' address is logged at start).</summary>
    [Range(0, 65535, ErrorMessage = "Http:Port must be between 0 and 65535.")]
    public int Port { get; set; } = 8080;

    /// <summary>
    /// The key the web pages and the context endpoint ask for (header <c>X-Api-Key</c>, or as the password of HTTP
    /// basic auth). Required when <see cref="Host"/> is not a loopback address; never logged.
    /// </summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>
    /// The most distinct pages kept live at once. Each costs a render every half second (a store floor about 3 ms of
    /// CPU here), however many watch it; a stream for one more page is refused (503) until one closes.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Http:MaxLivePages must be between 1 and 10000.")]
    public int MaxLivePages { get; set; } = 50;

    /// <summary>The fewest characters a key may have: a short key is guessed.</summary>
    public const int MinimumApiKeyLength = 16;

    /// <summary>Whether only this machine can reach the endpoints.</summary>
    public bool BindsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>Whether requests for customer data must carry <see cref="ApiKey"/>.</summary>
    public bool RequiresKey => !BindsLoopback || ApiKey.Length > 0;
}
