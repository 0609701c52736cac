namespace Customer360.Streaming.Domain.Events;

/// <summary>An event from one channel, as the reducers see it: an id, an event time and where it came from.</summary>
/// <param name="EventTimeMs">Event time in epoch milliseconds; it, not arrival order, decides state.</param>
/// <param name="SourceTopic">Topic the event was read from, kept as provenance.</param>
public abstract record ChannelEvent(Guid EventId, long EventTimeMs, string SourceTopic);

public enum ClickType
{
    PageView,
    ProductView,
    Search,
    AddToCart,
    RemoveFromCart,
    Checkout,
    Purchase,
}

/// <summary>A web interaction (clickstream-event).</summary>
public sealed record ClickEvent(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    ClickType Type,
    string AnonymousId,
    string? CustomerId,
    string SessionId,
    string Url,
    string? ProductId = null,
    string? Category = null,
    decimal? Price = null,
    int? Quantity = null,
    decimal? CartValue = null,
    string? SearchQuery = null) : ChannelEvent(EventId, EventTimeMs, SourceTopic);

public enum AppEventType
{
    AppOpen,
    ScreenView,
    PushOpened,
    PushDismissed,
    AppBackground,
}

/// <summary>A mobile app interaction (mobile-app-event).</summary>
public sealed record AppEvent(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    AppEventType Type,
    string DeviceId,
    string? CustomerId = null,
    string? Screen = null,
    string? TriggerId = null) : ChannelEvent(EventId, EventTimeMs, SourceTopic);

/// <summary>A position from the app (location-fix). Coordinates are personal data: never logged.</summary>
public sealed record LocationFix(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    string DeviceId,
    double Latitude,
    double Longitude,
    double AccuracyMeters) : ChannelEvent(EventId, EventTimeMs, SourceTopic);

public enum Proximity
{
    Immediate,
    Near,
    Far,
    Unknown,
}

public enum SightingType
{
    Enter,
    Dwell,
    Exit,
    Sensor,
}

/// <summary>An in-store beacon or sensor sighting (beacon-sighting).</summary>
public sealed record BeaconSighting(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    string StoreId,
    string ZoneId,
    Proximity Proximity,
    int Rssi,
    SightingType Type) : ChannelEvent(EventId, EventTimeMs, SourceTopic);

/// <summary>What the customer allowed; anything unknown counts as not allowed.</summary>
public sealed record Consent(bool Email = false, bool Sms = false, bool Push = false, bool InApp = false, bool Location = false);

/// <summary>A daily window without messages, in minutes after local midnight; may wrap midnight.</summary>
public sealed record QuietHours(int StartMinute, int EndMinute);

/// <summary>What the relationship says about a customer (relationship-profile).</summary>
public sealed record RelationshipProfile(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    string CustomerId,
    string Tier,
    string Segment,
    decimal LifetimeValue,
    double ChurnRisk,
    IReadOnlyList<string> PreferredCategories,
    string? HomeStoreId,
    Consent Consent,
    QuietHours? QuietHours,
    string TimeZone,
    string Language) : ChannelEvent(EventId, EventTimeMs, SourceTopic);

/// <summary>What happened to a sent trigger, as marketing automation or the channel reports it.</summary>
public enum ResponseOutcome
{
    Delivered,
    Opened,
    Clicked,
    Converted,
    Dismissed,
    Ignored,
    Failed,
}

/// <summary>A response to a sent trigger (trigger-response), joined back to the trigger by its id.</summary>
public sealed record TriggerResponse(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    string TriggerId,
    string CustomerId,
    ResponseOutcome Outcome) : ChannelEvent(EventId, EventTimeMs, SourceTopic);
