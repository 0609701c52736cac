using Confluent.Kafka;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Redis;

/// <summary>The context changelogs a rebuild test writes by hand, instead of a processor.</summary>
internal static class RebuildChangelogs
{
    /// <summary>Creates both context changelogs of <paramref name="options"/>' application, one partition each; returns the contexts store's.</summary>
    public static async Task<TopicPartition> CreateAsync(KafkaFixture kafka, KafkaOptions options)
    {
        foreach (var store in ProductTopics.ContextStores)
        {
            await kafka.CreateTopicAsync(StreamTopology.ChangelogTopicOf(options.ApplicationId, store), 1);
        }

        return new TopicPartition(StreamTopology.ChangelogTopicOf(options.ApplicationId, ProductTopics.ContextsStore), 0);
    }
}
