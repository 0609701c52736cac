using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Streams;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>
/// The counting topology's topics on the shared test broker, named for one test: its input, output, dead letters and
/// the store's changelog (created up front, as the embedded broker has no CreateTopics).
/// </summary>
internal sealed record CountingTopics(KafkaOptions Options, string Input, string Output, string DeadLetters)
{
    public static async Task<CountingTopics> CreateAsync(KafkaFixture kafka, UniqueNames names, int inputPartitions)
    {
        var topics = new CountingTopics(kafka.Options(names.Group("app")), names.Topic("in"), names.Topic("out"), names.Topic("dlq"));
        await kafka.CreateTopicAsync(topics.Input, inputPartitions);
        await kafka.CreateTopicAsync(topics.Output, 1);
        await kafka.CreateTopicAsync(topics.DeadLetters, 1);
        await kafka.CreateTopicAsync($"{topics.Options.ApplicationId}-{CountingProcessor.Store}-changelog", inputPartitions);
        return topics;
    }

    public StreamTopology Topology() => CountingProcessor.Topology(Options.ApplicationId, Input, Output, DeadLetters);
}
