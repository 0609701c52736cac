using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// The processor's topology, built from topics.yaml. Until the context and trigger processors exist it consumes every
/// input and table topic, one sub-topology per co-partition group, and produces nothing.
/// </summary>
public static class ProductTopology
{
    public static StreamTopology Build(string applicationId, TopicCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var builder = new StreamTopologyBuilder(applicationId);
        var sources = catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table).ToList();
        foreach (var group in sources.GroupBy(t => t.CoPartitionGroup ?? t.Name))
        {
            builder.AddSubTopology($"consume-{group.Key}", [.. group.Select(t => t.Name)], () => new ConsumeOnlyProcessor());
        }

        if (catalog.WithRole(TopicRole.DeadLetter).FirstOrDefault() is { } deadLetters)
        {
            builder.DeadLetterTo(deadLetters.Name);
        }

        return builder.Build();
    }

    private sealed class ConsumeOnlyProcessor : IProcessor
    {
        public void Init(IProcessorContext context)
        {
        }

        public void Process(StreamRecord record)
        {
        }
    }
}
