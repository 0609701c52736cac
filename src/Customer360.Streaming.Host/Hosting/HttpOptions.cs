using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Where the processor serves health and read endpoints (configuration section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>Interface to bind; loopback by default so a laptop run exposes nothing.</summary>
    [Required(ErrorMessage = "Http:Host is required (127.0.0.1, 0.0.0.0 or a host name).")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (the chosen address is logged).</summary>
    [Range(0, 65535, ErrorMessage = "Http:Port must be between 0 and 65535.")]
    public int Port { get; set; } = 8080;
}
