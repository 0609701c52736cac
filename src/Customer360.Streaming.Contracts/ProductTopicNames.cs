using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// The product's topics, found in topics.yaml by role and contract (so a deployment may name them its own way):
/// the channel inputs, the identity and relationship tables, the outputs, and the trigger responses.
/// </summary>
public sealed record ProductTopicNames(
    string Clickstream, string Mobile, string Location, string Beacon, string Identity, string Relationship, string Context, string Triggers, string Decisions, string StoreEvents, string Responses)
{
    /// <summary>The names topics.yaml ships with.</summary>
    public static ProductTopicNames Default { get; } = new(
        "c360.clickstream.v1", "c360.mobile.v1", "c360.location.v1", "c360.beacon.v1", "c360.identity.v1", "c360.relationship.v1", "c360.context.v1",
        "c360.triggers.v1", "c360.decisions.v1", "c360.store-events.v1", "c360.trigger-responses.v1");

    /// <summary>Segment entries and leaves, keyed by customer.</summary>
    public string Segments { get; init; } = "c360.segments.v1";

    /// <summary>Channel topics, keyed by identifier.</summary>
    public IReadOnlyList<string> Channels => [Clickstream, Mobile, Location, Beacon];

    public static ProductTopicNames FromCatalog(TopicCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new List<string>();
        string Find(TopicRole role, string contract)
        {
            var matches = catalog.Topics.Where(t => t.Role == role && t.ValueSchema == contract).ToList();
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
        return errors.Count == 0
            ? names
            : throw new TopologyException("topics.yaml lacks topics the processor needs:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors));
    }
}
