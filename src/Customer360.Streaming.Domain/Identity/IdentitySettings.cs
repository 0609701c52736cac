namespace Customer360.Streaming.Domain.Identity;

/// <summary>Limits of identity stitching.</summary>
public sealed record IdentitySettings
{
    /// <summary>
    /// An identifier linked to more customers than this at once is quarantined: its events stay anonymous and nothing
    /// is merged, because an identifier shared that widely (a store kiosk, a family tablet) says nothing about who it is.
    /// </summary>
    public int MaxCustomersPerIdentifier { get; init; } = 3;

    /// <summary>
    /// The most identifiers one customer holds. A link beyond it is refused (the identifier is not kept, and its later
    /// events stay anonymous) until an unlink makes room: the customer's context keeps every identifier so an erasure
    /// can find them, and a context has to fit one Kafka record. Reached only by an identifier factory: a shared
    /// account signed in on every kiosk, or a producer linking each session cookie to one test customer.
    /// </summary>
    public int MaxIdentifiersPerCustomer { get; init; } = 500;

    /// <summary>An anonymous context nobody touches for this long expires (state and Redis).</summary>
    public TimeSpan AnonymousContextTtl { get; init; } = TimeSpan.FromDays(7);
}
