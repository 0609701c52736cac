using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// The product's topics, found in topics.yaml by role and contract (so a deployment may name them its own way):
/// the channel inputs, the identity and relationship tables, the outputs, and the trigger responses. A channel may
/// also have a twin keyed by customer (same contract, co-partition group <c>customer</c>), for sources that know who
/// is signed in: the context stage reads it directly, so its events skip identity stitching and the repartition hop.
/// </summary>
public sealed record ProductTopicNames(
    string Clickstream, string Mobile, string Location, string Beacon, string Identity, string Relationship, string Context, string Triggers, string Decisions, string StoreEvents, string Responses)
{
    /// <summary>The names topics.yaml ships with.</summary>
    public static ProductTopicNames Default { get; } = new(
        "c360.clickstream.v1", "c360.mobile.v1", "c360.location.v1", "c360.beacon.v1", "c360.identity.v1", "c360.relationship.v1", "c360.context.v1",
        "c360.triggers.v1", "c360.decisions.v1", "c360.store-events.v1", "c360.trigger-responses.v1")
    {
        KeyedByCustomer = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["c360.clickstream.v1"] = "c360.clickstream.by-customer.v1",
            ["c360.mobile.v1"] = "c360.mobile.by-customer.v1",
            ["c360.location.v1"] = "c360.location.by-customer.v1",
            ["c360.beacon.v1"] = "c360.beacon.by-customer.v1",
        },
    };

    /// <summary>The co-partition group of the customer-keyed topics, which the context stage reads.</summary>
    public const string CustomerGroup = "customer";

    /// <summary>Segment entries and leaves, keyed by customer.</summary>
    public string Segments { get; init; } = "c360.segments.v1";

    /// <summary>Channel topics, keyed by identifier.</summary>
    public IReadOnlyList<string> Channels => [Clickstream, Mobile, Location, Beacon];

    /// <summary>
    /// The customer-keyed twin of each channel topic that has one, by the channel topic: same contract, keyed by the
    /// customer id, co-partitioned with the context stage's topics. Empty when topics.yaml declares none.
    /// </summary>
    public IReadOnlyDictionary<string, string> KeyedByCustomer { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The customer-keyed channel topics, in the order of <see cref="Channels"/>.</summary>
    public IReadOnlyList<string> CustomerKeyedChannels => [.. Channels.Where(KeyedByCustomer.ContainsKey).Select(c => KeyedByCustomer[c])];

    /// <summary>The channel topics that have no customer-keyed twin, in the order of <see cref="Channels"/>.</summary>
    public IReadOnlyList<string> ChannelsNotKeyedByCustomer => [.. Channels.Where(c => !KeyedByCustomer.ContainsKey(c))];

    public static ProductTopicNames FromCatalog(TopicCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new List<string>();
        // A channel contract's customer-keyed twin is found apart: it is the one input of the contract in the customer group.
        static bool IsTwin(TopicSpec t, string contract) =>
            t.Role == TopicRole.Input && t.ValueSchema == contract && t.CoPartitionGroup == CustomerGroup && IsChannelContract(contract);
        string Find(TopicRole role, string contract)
        {
            var matches = catalog.Topics.Where(t => t.Role == role && t.ValueSchema == contract && !IsTwin(t, contract)).ToList();
            if (matches.Count != 1)
            {
                errors.Add($"expected exactly one {role.ToString().ToLowerInvariant()} topic with valueSchema {contract}, found {matches.Count}");
                return string.Empty;
            }

            return matches[0].Name;
        }

        var names = new ProductTopicNames(
            Find(TopicRole.Input, "clickstream-event"), Find(TopicRole.Input, "mobile-app-event"), Find(TopicRole.Input, "location-fix"),
            Find(TopicRole.Input, "beacon-sighting"), Find(TopicRole.Table, "identity-link"), Find(TopicRole.Table, "relationship-profile"),
            Find(TopicRole.Output, "customer-context"), Find(TopicRole.Output, "trigger"), Find(TopicRole.Output, "decision-record"),
            Find(TopicRole.Output, "store-event"), Find(TopicRole.Input, "trigger-response"))
        {
            Segments = Find(TopicRole.Output, "segment-change"),
        };
        var twins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (channel, contract) in names.Channels.Zip(ChannelContracts))
        {
            var matches = catalog.Topics.Where(t => IsTwin(t, contract)).ToList();
            if (matches.Count > 1)
            {
                errors.Add($"expected at most one customer-keyed input topic with valueSchema {contract}, found {matches.Count}");
            }
            else if (matches.Count == 1 && channel.Length > 0)
            {
                twins[channel] = matches[0].Name;
            }
        }

        names = names with { KeyedByCustomer = twins };
        return errors.Count == 0
            ? names
            : throw new TopologyException("topics.yaml lacks or repeats topics the processor needs:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors));
    }

    /// <summary>The contracts of the channel topics, in the order of <see cref="Channels"/>.</summary>
    private static readonly string[] ChannelContracts = ["clickstream-event", "mobile-app-event", "location-fix", "beacon-sighting"];

    private static bool IsChannelContract(string contract) => Array.IndexOf(ChannelContracts, contract) >= 0;
}
