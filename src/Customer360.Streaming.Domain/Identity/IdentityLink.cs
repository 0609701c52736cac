using Customer360.Streaming.Domain.Events;

namespace Customer360.Streaming.Domain.Identity;

public enum IdentifierType
{
    Web,
    Device,
    LoyaltyApp,
}

public enum IdentityAction
{
    Link,
    Unlink,
}

/// <summary>Links an identifier to a customer, or removes that link (identity-link, keyed by <see cref="Identifier"/>).</summary>
public sealed record IdentityLink(
    Guid EventId,
    long EventTimeMs,
    string SourceTopic,
    IdentifierType Type,
    string Value,
    string CustomerId,
    IdentityAction Action) : ChannelEvent(EventId, EventTimeMs, SourceTopic)
{
    /// <summary>The identifier as the channel topics key it: <c>web:…</c>, <c>device:…</c>, <c>app:…</c>.</summary>
    public string Identifier => Identifiers.Format(Type, Value);
}

/// <summary>The key convention of identifier-keyed topics.</summary>
public static class Identifiers
{
    public static string Format(IdentifierType type, string value) => type switch
    {
        IdentifierType.Web => "web:" + value,
        IdentifierType.Device => "device:" + value,
        IdentifierType.LoyaltyApp => "app:" + value,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown identifier type."),
    };

    /// <summary>The context id of an identifier that is not linked to a customer.</summary>
    public static string AnonymousContextId(string identifier) => Context.CustomerContext.AnonymousPrefix + identifier;
}
