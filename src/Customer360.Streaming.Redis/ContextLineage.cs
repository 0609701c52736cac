using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Redis;

/// <summary>
/// The lineage of the contexts in Redis: the topic ids of the context stores' changelogs, in store order, joined by
/// commas. Context versions count changes from a store's beginning, so they compare only within one lineage: a processor
/// on another cluster, or after its changelogs were deleted and created again (an application reset), starts counting
/// anew, and its contexts are lower than the ones Redis kept from before. Kafka gives every topic a new id when it is
/// created, and keeps it for the topic's life, so the same changelogs give the same lineage on every instance and
/// restart.
/// </summary>
public static class ContextLineage
{
    /// <summary>
    /// The lineage of <paramref name="applicationId"/>'s context changelogs on the cluster <paramref name="admin"/>
    /// talks to; empty when the cluster gives no topic ids (before Kafka 2.8) or cannot describe topics, in which case
    /// versions compare alone.
    /// </summary>
    public static async Task<string> ReadAsync(IAdminClient admin, string applicationId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var changelogs = ProductTopics.ContextStores.Select(store => StreamTopology.ChangelogTopicOf(applicationId, store)).ToList();
        DescribeTopicsResult described;
        try
        {
            described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(changelogs), new DescribeTopicsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            return string.Empty;
        }

        var ids = changelogs.Select(topic => described.TopicDescriptions.FirstOrDefault(d => d.Name == topic)?.TopicId).ToList();
        return ids.All(id => id is { } known && (known.MostSignificantBits != 0 || known.LeastSignificantBits != 0))
            ? string.Join(',', ids)
            : string.Empty;
    }
}
