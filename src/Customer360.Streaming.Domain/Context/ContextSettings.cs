namespace Customer360.Streaming.Domain.Context;

/// <summary>The knobs of the reducers, with the defaults the documentation describes.</summary>
public sealed record ContextSettings
{
    /// <summary>Events older than the context's newest event by more than this are late: counted, not applied.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many recent event ids a context remembers to recognise duplicates (a producer retrying a send).</summary>
    public int DuplicateMemory { get; init; } = 64;

    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest sliding window of view counts; older views are forgotten.</summary>
    public TimeSpan ViewHistory { get; init; } = TimeSpan.FromHours(24);

    public int MaxRecentViews { get; init; } = 200;

    /// <summary>
    /// The most products a cart holds a quantity for. An add or remove of another product while the cart is full
    /// changes no quantity (the rest of the click still applies): a context has to fit one Kafka record.
    /// </summary>
    public int MaxCartProducts { get; init; } = 100;

    /// <summary>The most zones one store visit records; a sighting of yet another zone is noise, as a faint one is.</summary>
    public int MaxZonesPerVisit { get; init; } = 50;

    /// <summary>Two fixes closer in time than this count as "the same moment": the newer wins unless it is clearly worse.</summary>
    public TimeSpan SameFixWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Within the same moment, a fix whose accuracy radius is more than this many times the other's is clearly worse
    /// and loses, even when it is newer. Below that, the newer fix wins: people move between fixes.
    /// </summary>
    public double ClearlyWorseAccuracyFactor { get; init; } = 2;

    /// <summary>Fixes less accurate than this update the position but not the presence state.</summary>
    public double MaxAccuracyForPresenceMeters { get; init; } = 100;

    /// <summary>A geofence is left only this far beyond its radius, so GPS jitter at the boundary does not flap.</summary>
    public double HysteresisMeters { get; init; } = 40;

    /// <summary>A new zone is confirmed by a second sighting within this time (or one IMMEDIATE sighting).</summary>
    public TimeSpan ZoneConfirmWindow { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A store presence not renewed for longer than this has lapsed: a beacon visit with no sighting ends, as an EXIT
    /// would have ended it, and a GPS state in or near a store with no fix turns away. Beacons miss exits and the app
    /// sends fixes only while it runs; such a presence otherwise lasted until the customer's next EXIT or fix.
    /// </summary>
    public TimeSpan StoreVisitTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Dwell accrues between consecutive sightings in a zone, at most this much per gap.</summary>
    public TimeSpan MaxDwellGap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Sightings weaker than this (and not IMMEDIATE/NEAR) are noise for zone changes.</summary>
    public int MinRssi { get; init; } = -90;
}
