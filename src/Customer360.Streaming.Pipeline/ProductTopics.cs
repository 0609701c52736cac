namespace Customer360.Streaming.Pipeline;

/// <summary>The product's topic names (the contract with producers and consumers, declared in topics.yaml).</summary>
public static class ProductTopics
{
    public const string Clickstream = "c360.clickstream.v1";
    public const string Mobile = "c360.mobile.v1";
    public const string Location = "c360.location.v1";
    public const string Beacon = "c360.beacon.v1";
    public const string Identity = "c360.identity.v1";
    public const string Relationship = "c360.relationship.v1";
    public const string Context = "c360.context.v1";

    /// <summary>Channel topics, keyed by identifier.</summary>
    public static readonly IReadOnlyList<string> Channels = [Clickstream, Mobile, Location, Beacon];

    /// <summary>Stores of the two sub-topologies; their changelogs are <c>&lt;app&gt;-&lt;store&gt;-changelog</c>.</summary>
    public const string IdentityLinksStore = "identity-links";
    public const string AnonymousContextsStore = "anonymous-contexts";
    public const string ContextsStore = "contexts";
    public const string ErasuresStore = "erasures";

    /// <summary>Stores whose values are context documents (materialized in Redis).</summary>
    public static readonly IReadOnlyList<string> ContextStores = [ContextsStore, AnonymousContextsStore];

    /// <summary>Repartition topic names, before the application id prefix and "-repartition" suffix.</summary>
    public const string EventsByCustomer = "events-by-customer";
    public const string IdentityCommands = "identity-commands";
}
