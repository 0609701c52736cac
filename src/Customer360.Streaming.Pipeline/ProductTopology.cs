using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// The processor's topology: identity stitching over the identifier-keyed topics, then the context over the
/// customer-keyed ones, connected by two repartition topics.
/// <code>
///   clickstream, mobile, location, beacon, identity, identity-commands ─► identity ─► events-by-customer
///   events-by-customer, relationship ─► context ─► c360.context.v1, identity-commands (erasure)
/// </code>
/// </summary>
public static class ProductTopology
{
    public static StreamTopology Build(string applicationId, TopicCatalog catalog, ContextPipelineSettings settings, PipelineMetrics metrics, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(loggers);
        var builder = new StreamTopologyBuilder(applicationId);
        var eventsByCustomer = builder.Repartition(ProductTopics.EventsByCustomer);
        var identityCommands = builder.Repartition(ProductTopics.IdentityCommands);
        var declared = catalog.Topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = ProductTopics.Channels.Append(ProductTopics.Identity).Append(ProductTopics.Relationship).Append(ProductTopics.Context)
            .Append(eventsByCustomer).Append(identityCommands)
            .Where(t => !declared.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new TopologyException($"topics.yaml does not declare topics the processor needs: {string.Join(", ", missing)}");
        }

        builder.AddStore(ProductTopics.IdentityLinksStore).AddStore(ProductTopics.AnonymousContextsStore)
            .AddStore(ProductTopics.ContextsStore).AddStore(ProductTopics.ErasuresStore);
        var identityLogger = loggers.CreateLogger<IdentityProcessor>();
        var contextLogger = loggers.CreateLogger<ContextProcessor>();
        builder.AddSubTopology(
            "identity",
            [.. ProductTopics.Channels, ProductTopics.Identity, identityCommands],
            () => new IdentityProcessor(settings, eventsByCustomer, ProductTopics.Context, metrics, identityLogger),
            [ProductTopics.IdentityLinksStore, ProductTopics.AnonymousContextsStore],
            [eventsByCustomer, ProductTopics.Context]);
        builder.AddSubTopology(
            "context",
            [eventsByCustomer, ProductTopics.Relationship],
            () => new ContextProcessor(settings, identityCommands, ProductTopics.Context, metrics, contextLogger),
            [ProductTopics.ContextsStore, ProductTopics.ErasuresStore],
            [ProductTopics.Context, identityCommands]);

        if (catalog.WithRole(TopicRole.DeadLetter).FirstOrDefault() is { } deadLetters)
        {
            builder.DeadLetterTo(deadLetters.Name);
        }

        return builder.Build();
    }
}
