using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// Reads the dead-letter topic from its beginning to where it ended when the scan began, handing each record and its
/// envelope (null for a record without our origin headers) to the caller, and printing progress every few seconds:
/// a topic of millions of dead letters takes a while, and a silent tool looks hung.
/// </summary>
internal static class DeadLetterScan
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>Scans <paramref name="topic"/>; returns how many records were read. Throws <see cref="InvalidOperationException"/> when the topic does not exist.</summary>
    public static long Run(
        KafkaOptions kafka, string topic, Action<ConsumeResult<byte[]?, byte[]?>, DeadLetterEnvelope?> onRecord, Action<string> progress, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds);
        var clientId = $"{kafka.ApplicationId}-dead-letters";
        List<int> partitions;
        var adminConfig = KafkaClientConfigs.Admin(kafka, clientId);
        // Asked for one topic, a producer-type handle (as the admin client is) lets the broker create it when missing:
        // the summary would report an empty topic it had just made instead of the one that is not there.
        adminConfig.Set("allow.auto.create.topics", "false");
        using (var admin = new AdminClientBuilder(adminConfig).SetLogHandler(KafkaClientLog.Discard).Build())
        {
            var metadata = admin.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                throw new InvalidOperationException($"the dead-letter topic {topic} does not exist on the cluster ({metadata?.Error.Reason ?? "no metadata"})");
            }

            partitions = [.. metadata.Partitions.Select(p => p.PartitionId).Order()];
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, clientId, clientId)).SetLogHandler(KafkaClientLog.Discard).Build();
        var ends = TopicReader.Watermarks(consumer, topic, partitions, timeout);
        var total = ends.Sum(e => e.Watermarks.High.Value - e.Watermarks.Low.Value);
        long read = 0;
        var lastProgress = time.GetTimestamp();
        TopicReader.ReadToEnd(consumer, ends, record =>
        {
            read++;
            onRecord(record, DeadLetterEnvelope.Read(record.Message.Headers));
            if (time.GetElapsedTime(lastProgress) >= ProgressEvery)
            {
                lastProgress = time.GetTimestamp();
                progress($"read {read:N0} of about {total:N0} dead letters");
            }
        }, cancellationToken);
        return read;
    }
}
