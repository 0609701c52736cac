using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// The processor's topology: identity stitching over the identifier-keyed topics, then the context over the
/// customer-keyed ones, connected by two repartition topics.
/// <code>
///   clickstream, mobile, location, beacon, identity, identity-commands ─► identity ─► events-by-customer
///   events-by-customer, relationship, trigger-responses,
///   channels keyed by customer (when declared)            ─► context ─► c360.context.v1, triggers, store-events,
///                                                                    decisions, segments, identity-commands (erasure)
/// </code>
/// </summary>
public static class ProductTopology
{
    /// <summary>The sub-topology that stitches identities (its name tags its metrics, such as <c>c360.record.age</c>).</summary>
    public const string IdentityStage = "identity";

    /// <summary>The sub-topology that keeps contexts and fires triggers.</summary>
    public const string ContextStage = "context";

    /// <summary>The topology's shape only (for <c>c360 topology describe</c>): its processors cannot be created.</summary>
    public static StreamTopology Shape(string applicationId, TopicCatalog catalog) =>
        Build(applicationId, catalog, null, new PipelineMetrics(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

    public static StreamTopology Build(string applicationId, TopicCatalog catalog, ContextPipelineSetup? settings, PipelineMetrics metrics, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(loggers);
        var builder = new StreamTopologyBuilder(applicationId);
        var eventsByCustomer = builder.Repartition(ProductTopics.EventsByCustomer);
        var identityCommands = builder.Repartition(ProductTopics.IdentityCommands);
        var topics = settings?.Topics ?? ProductTopicNames.FromCatalog(catalog);
        if (settings?.Rules is { } rules)
        {
            CheckRuleTopics(rules.Current, topics);
        }

        var declared = catalog.Topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new[] { eventsByCustomer, identityCommands }.Where(t => !declared.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new TopologyException($"topics.yaml does not declare the repartition topics of application '{applicationId}': {string.Join(", ", missing)}");
        }

        builder.AddStore(ProductTopics.IdentityLinksStore).AddStore(ProductTopics.AnonymousContextsStore)
            .AddStore(ProductTopics.ContextsStore).AddStore(ProductTopics.ErasuresStore).AddStore(ProductTopics.TriggerStateStore)
            .AddStore(ProductTopics.OfferLearningStore);
        var identityLogger = loggers.CreateLogger<IdentityProcessor>();
        var contextLogger = loggers.CreateLogger<ContextProcessor>();
        builder.AddSubTopology(
            IdentityStage,
            [.. topics.Channels, topics.Identity, identityCommands],
            () => new IdentityProcessor(Require(settings), eventsByCustomer, metrics, identityLogger),
            [ProductTopics.IdentityLinksStore, ProductTopics.AnonymousContextsStore],
            [eventsByCustomer, topics.Context]);
        builder.AddSubTopology(
            ContextStage,
            [eventsByCustomer, topics.Relationship, topics.Responses, .. topics.CustomerKeyedChannels],
            () => new ContextProcessor(Require(settings), identityCommands, metrics, contextLogger),
            [ProductTopics.ContextsStore, ProductTopics.ErasuresStore, ProductTopics.TriggerStateStore, ProductTopics.OfferLearningStore],
            [topics.Context, identityCommands, topics.Triggers, topics.Decisions, topics.StoreEvents, topics.Segments]);

        if (settings is not null)
        {
            // Both stages refuse such records (EventCodec.RefuseTimestampAhead): the runtime hands each out at once.
            builder.RefusesTimestampsAhead(settings.Codec.MaxFutureSkew);
        }

        if (catalog.WithRole(TopicRole.DeadLetter).FirstOrDefault() is { } deadLetters)
        {
            builder.DeadLetterTo(deadLetters.Name);
        }

        return builder.Build();
    }

    /// <summary>Rules may only write to the trigger and store-event topics, which the context task has sinks for.</summary>
    public static void CheckRuleTopics(RuleSet rules, ProductTopicNames topics)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(topics);
        var strayRules = rules.Rules.Where(r => r.Topic != topics.Triggers && r.Topic != topics.StoreEvents).ToList();
        if (strayRules.Count > 0)
        {
            throw new TopologyException(
                $"rules write to topics that are neither the trigger topic ({topics.Triggers}) nor the store-event topic ({topics.StoreEvents}): "
                + string.Join(", ", strayRules.Select(r => $"{r.Id} -> {r.Topic}")));
        }
    }

    private static ContextPipelineSetup Require(ContextPipelineSetup? settings) =>
        settings ?? throw new InvalidOperationException("This topology was built to be described, not run.");
}
