namespace Customer360.Streaming.Domain.Identity;

/// <summary>Limits of identity stitching.</summary>
public sealed record IdentitySettings
{
    /// <summary>
    /// An identifier linked to more customers than this at once is quarantined: its events stay anonymous and nothing
    /// is merged, because an identifier shared that widely (a store kiosk, a family tablet) says nothing about who it is.
    /// </summary>
    public int MaxCustomersPerIdentifier { get; init; } = 3;

    /// <summary>An anonymous context nobody touches for this long expires (state and Redis).</summary>
    public TimeSpan AnonymousContextTtl { get; init; } = TimeSpan.FromDays(7);
}
