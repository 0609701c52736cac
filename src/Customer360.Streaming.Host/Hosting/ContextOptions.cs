using System.ComponentModel.DataAnnotations;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Knobs of identity stitching and the context reducers (configuration section <c>Context</c>).</summary>
public sealed class ContextOptions
{
    public const string SectionName = "Context";

    /// <summary>Events older than a context's newest by more than this are late: counted, not applied.</summary>
    [Range(0, 86_400, ErrorMessage = "Context:GraceSeconds must be between 0 and 86400.")]
    public int GraceSeconds { get; set; } = 600;

    /// <summary>Events dated further than this ahead of the processor's clock are invalid values (dead-lettered).</summary>
    [Range(1, 86_400, ErrorMessage = "Context:MaxFutureSkewSeconds must be between 1 and 86400.")]
    public int MaxFutureSkewSeconds { get; set; } = 300;

    [Range(1, 1_440, ErrorMessage = "Context:SessionGapMinutes must be between 1 and 1440.")]
    public int SessionGapMinutes { get; set; } = 30;

    /// <summary>Extra distance beyond a geofence before the customer counts as having left it.</summary>
    [Range(0, 1_000, ErrorMessage = "Context:HysteresisMeters must be between 0 and 1000.")]
    public double HysteresisMeters { get; set; } = 40;

    /// <summary>A store presence (a beacon visit, a GPS state in or near a store) not renewed for this long has lapsed.</summary>
    [Range(1, 1_440, ErrorMessage = "Context:StoreVisitTimeoutMinutes must be between 1 and 1440.")]
    public int StoreVisitTimeoutMinutes { get; set; } = 30;

    [Range(1, 100, ErrorMessage = "Context:MaxCustomersPerIdentifier must be between 1 and 100.")]
    public int MaxCustomersPerIdentifier { get; set; } = 3;

    /// <summary>
    /// The most identifiers one customer holds; further links are refused until an unlink. At most 500, so the
    /// largest context the limits allow still fits one Kafka record (1,000,000 bytes).
    /// </summary>
    [Range(1, 500, ErrorMessage = "Context:MaxIdentifiersPerCustomer must be between 1 and 500.")]
    public int MaxIdentifiersPerCustomer { get; set; } = 500;

    [Range(1, 8_760, ErrorMessage = "Context:AnonymousContextTtlHours must be between 1 and 8760.")]
    public int AnonymousContextTtlHours { get; set; } = 168;

    public ContextSettings ToContextSettings() => new()
    {
        Grace = TimeSpan.FromSeconds(GraceSeconds),
        SessionGap = TimeSpan.FromMinutes(SessionGapMinutes),
        HysteresisMeters = HysteresisMeters,
        StoreVisitTimeout = TimeSpan.FromMinutes(StoreVisitTimeoutMinutes),
    };

    public IdentitySettings ToIdentitySettings() => new()
    {
        MaxCustomersPerIdentifier = MaxCustomersPerIdentifier,
        MaxIdentifiersPerCustomer = MaxIdentifiersPerCustomer,
        AnonymousContextTtl = TimeSpan.FromHours(AnonymousContextTtlHours),
    };
}
