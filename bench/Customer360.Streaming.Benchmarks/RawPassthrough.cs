using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The baseline every pipeline figure is a share of: hand-written Confluent.Kafka code that consumes records and
/// produces them unchanged, committing every 100 ms in the order the runtime uses under at_least_once (outputs
/// acknowledged, then offsets committed).
/// </summary>
internal static class RawPassthrough
{
    /// <summary>Moves <paramref name="records"/> records from <paramref name="inputs"/> to <paramref name="output"/> as group <c>options.ApplicationId</c>.</summary>
    /// <param name="timeout">The longest it may take; beyond it the run fails rather than report a rate.</param>
    public static void Run(KafkaOptions options, IReadOnlyList<string> inputs, string output, long records, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(options, options.ApplicationId, "raw")).Build();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "raw-out")).Build();
        consumer.Subscribe(inputs);
        var started = Environment.TickCount64;
        var lastCommit = started;
        var uncommitted = false;
        for (var seen = 0L; seen < records;)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } record)
            {
                producer.Produce(output, new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value });
                consumer.StoreOffset(record);
                uncommitted = true;
                seen++;
            }

            if (uncommitted && Environment.TickCount64 - lastCommit >= 100)
            {
                producer.Flush(TimeSpan.FromSeconds(30));
                consumer.Commit();
                lastCommit = Environment.TickCount64;
                uncommitted = false;
            }

            if (Environment.TickCount64 - started > timeout.TotalMilliseconds)
            {
                throw new InvalidOperationException($"the raw passthrough moved {seen} of {records} records in {timeout.TotalSeconds:0} s");
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        if (uncommitted)
        {
            consumer.Commit();
        }

        consumer.Close();
    }
}
