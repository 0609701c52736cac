using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The baseline every pipeline figure is a share of: hand-written Confluent.Kafka code that consumes records and
/// produces them unchanged (key, value and timestamp), committing every 100 ms in the order the runtime uses under
/// at_least_once (outputs acknowledged, then offsets committed).
/// </summary>
internal static class RawPassthrough
{
    /// <summary>Moves <paramref name="records"/> records from <paramref name="inputs"/> to <paramref name="output"/> as group <c>options.ApplicationId</c>.</summary>
    /// <param name="timeout">The longest it may take; beyond it the run fails rather than report a rate.</param>
    public static void Run(KafkaOptions options, IReadOnlyList<string> inputs, string output, long records, TimeSpan timeout) =>
        Forward(options, inputs, _ => output, UntilMoved(records, timeout));

    /// <summary>
    /// Moves <paramref name="records"/> records from <paramref name="inputs"/> to <paramref name="middle"/> and from there
    /// to <paramref name="output"/>, both hops in one loop on one thread, as a one-thread processor takes its two
    /// stages: the shape of the pipeline with nothing done in either stage.
    /// </summary>
    public static void RunTwoHops(KafkaOptions options, IReadOnlyList<string> inputs, string middle, string output, long records, TimeSpan timeout) =>
        Forward(options, [.. inputs, middle], topic => topic == middle ? output : middle, UntilMoved(2 * records, timeout));

    /// <summary>Moves whatever arrives on <paramref name="inputs"/> to <paramref name="output"/> until <paramref name="stop"/> is cancelled.</summary>
    /// <param name="commitsInBackground">
    /// Leave commits to the client's background thread (auto-commit every 100 ms, no flush in the loop), so the loop
    /// never waits: what commits that do not hold the thread could reach at best. It may commit an offset before its
    /// output is acknowledged, so it is not at_least_once, and only latency is measured with it.
    /// </param>
    /// <param name="committed">Told the offsets of each commit, on the loop's thread (the latency floor purges its repartition hop with them).</param>
    public static void RunUntil(
        KafkaOptions options, IReadOnlyList<string> inputs, string output, CancellationToken stop, bool commitsInBackground = false,
        Action<IReadOnlyList<TopicPartitionOffset>>? committed = null) =>
        Forward(options, inputs, _ => output, _ => !stop.IsCancellationRequested, commitsInBackground, committed);

    /// <summary>Goes on until <paramref name="moves"/> records were moved, and fails once <paramref name="timeout"/> has passed.</summary>
    private static Func<long, bool> UntilMoved(long moves, TimeSpan timeout)
    {
        var started = Environment.TickCount64;
        return moved => Environment.TickCount64 - started <= timeout.TotalMilliseconds
            ? moved < moves
            : throw new InvalidOperationException($"the raw passthrough moved {moved} of {moves} records in {timeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// The loop itself, while <paramref name="more"/> (given the records moved so far) says to go on; each record goes
    /// to the topic <paramref name="outputOf"/> names for the topic it came from.
    /// </summary>
    private static void Forward(
        KafkaOptions options, IReadOnlyList<string> inputs, Func<string, string> outputOf, Func<long, bool> more, bool commitsInBackground = false,
        Action<IReadOnlyList<TopicPartitionOffset>>? committed = null)
    {
        var consumerConfig = KafkaClientConfigs.Consumer(options, options.ApplicationId, "raw");
        var consumerBuilder = new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig);
        if (commitsInBackground)
        {
            consumerConfig.EnableAutoCommit = true;
            consumerConfig.AutoCommitIntervalMs = 100;
            // The client commits in the background and reports each commit from within Consume, on this thread.
            consumerBuilder.SetOffsetsCommittedHandler((_, done) => committed?.Invoke([.. done.Offsets.Where(o => !o.Error.IsError).Select(o => o.TopicPartitionOffset)]));
        }

        using var consumer = consumerBuilder.Build();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Producer(options, "raw-out")).Build();
        consumer.Subscribe(inputs);
        var lastCommit = Environment.TickCount64;
        var uncommitted = false;
        for (var seen = 0L; more(seen);)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } record)
            {
                producer.Produce(outputOf(record.Topic), new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Timestamp = record.Message.Timestamp });
                consumer.StoreOffset(record);
                uncommitted = true;
                seen++;
            }

            if (uncommitted && !commitsInBackground && Environment.TickCount64 - lastCommit >= 100)
            {
                producer.Flush(TimeSpan.FromSeconds(30));
                var offsets = consumer.Commit();
                committed?.Invoke(offsets);
                lastCommit = Environment.TickCount64;
                uncommitted = false;
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        if (uncommitted && !commitsInBackground)
        {
            consumer.Commit();
        }

        consumer.Close();
    }
}
