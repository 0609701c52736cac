using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Pipeline;

/// <summary>Names inside the topology: stores and repartition topics.</summary>
public static class ProductTopics
{
    /// <summary>Stores of the two sub-topologies; their changelogs are <c>&lt;app&gt;-&lt;store&gt;-changelog</c>.</summary>
    public const string IdentityLinksStore = "identity-links";
    public const string AnonymousContextsStore = "anonymous-contexts";
    public const string ContextsStore = "contexts";
    public const string ErasuresStore = "erasures";

    /// <summary>
    /// Each customer's <c>TriggerState</c>. Named "trigger-history" from before it held timers and pending responses:
    /// the name is also its changelog topic's, which running deployments keep.
    /// </summary>
    public const string TriggerStateStore = "trigger-history";

    /// <summary>Each context task's offer ledger: what each segment × offer × channel arm learned, capacity used, exploration.</summary>
    public const string OfferLearningStore = "offer-learning";

    /// <summary>Stores whose values are context documents (materialized in Redis).</summary>
    public static readonly IReadOnlyList<string> ContextStores = [ContextsStore, AnonymousContextsStore];

    /// <summary>The context id behind a key of a context store: customer contexts are kept under the customer id, anonymous ones under their identifier.</summary>
    public static string ContextIdOf(string store, string key) =>
        store == AnonymousContextsStore ? Domain.Identity.Identifiers.AnonymousContextId(key) : key;

    /// <summary>
    /// Partitions of the customer-keyed topics as topics.yaml declares them: the number of context tasks, across
    /// which offer capacities are split.
    /// </summary>
    public static int ContextPartitions(Contracts.TopicCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var relationship = Contracts.ProductTopicNames.FromCatalog(catalog).Relationship;
        return catalog.Topics.First(t => t.Name == relationship).Partitions;
    }

    /// <summary>Repartition topic names, before the application id prefix and "-repartition" suffix.</summary>
    public const string EventsByCustomer = "events-by-customer";
    public const string IdentityCommands = "identity-commands";
}
