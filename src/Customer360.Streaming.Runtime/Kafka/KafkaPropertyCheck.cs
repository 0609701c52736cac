using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Checks <c>Kafka:Properties</c> at startup the way librdkafka will read them: each entry is set on a client of its
/// own that is built and closed at once (no connection is made), so an unknown setting or a value librdkafka refuses
/// fails validation naming the key, instead of a stack trace when the first client is built. Values are never
/// repeated in the message: they may be secrets. A setting the runtime owns (<see cref="KafkaClientConfigs"/> sets it
/// over what was given, or a setting of ours stands for it) is refused too, instead of being silently replaced.
/// </summary>
public static partial class KafkaPropertyCheck
{
    private const string Commits = "is fixed by the runtime: it commits processed positions itself, every Kafka:CommitIntervalMs";
    private const string Durable = "is fixed by the runtime: idempotent producers with acks=all, so a retry neither loses nor repeats an output";
    private const string Brokers = "is Kafka:BootstrapServers; set that instead";
    private const string Linger = "is Kafka:LingerMs; set that instead";

    /// <summary>librdkafka's names (aliases included) for what the runtime decides, and why or where instead.</summary>
    private static readonly Dictionary<string, string> Owned = new(StringComparer.Ordinal)
    {
        ["bootstrap.servers"] = Brokers,
        ["metadata.broker.list"] = Brokers,
        ["group.id"] = "is Kafka:ApplicationId; set that instead",
        ["client.id"] = "is set by the runtime: each client's name says its application, thread and role",
        ["group.instance.id"] = "is set by the runtime, one per stream thread, under Streams:StaticMembership (see Streams:InstanceId)",
        ["transactional.id"] = "is set by the runtime, one per stream thread, under Streams:ProcessingGuarantee ExactlyOnceV2",
        ["transaction.timeout.ms"] = "is Streams:TransactionTimeoutMs; set that instead",
        ["linger.ms"] = Linger,
        ["queue.buffering.max.ms"] = Linger,
        ["fetch.wait.max.ms"] = "is Kafka:FetchWaitMaxMs; set that instead",
        ["partitioner"] = "is fixed by the runtime: murmur2_random, the Java client's hashing, which co-partitioned topics need",
        ["enable.idempotence"] = Durable,
        ["acks"] = Durable,
        ["request.required.acks"] = Durable,
        ["partition.assignment.strategy"] = "is fixed by the runtime: range, which gives partition N of every co-partitioned topic to the same member",
        ["enable.auto.commit"] = Commits,
        ["enable.auto.offset.store"] = Commits,
        ["auto.commit.interval.ms"] = Commits,
        ["auto.offset.reset"] = "is fixed by the runtime: earliest, so a new application id reads its inputs from their start",
        ["isolation.level"] = "is fixed by the runtime: read_committed, so no stage takes what an aborted transaction wrote",
        ["enable.partition.eof"] = "is fixed by the runtime",
        ["dotnet.producer.enable.delivery.reports"] = "is fixed by the runtime: it tracks every send by its delivery report",
        ["dotnet.producer.delivery.report.fields"] = "is fixed by the runtime: its delivery reports carry the status only",
        ["dotnet.consumer.consume.result.fields"] = "is fixed by the runtime: it reads every field of a consumed record, its headers included",
    };

    /// <summary>The clients every deployment builds: the stream threads' as under at_least_once, and the tools'.</summary>
    private static readonly StreamsOptions Untransacted = new() { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce };

    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var refused = false;
        foreach (var (key, value) in properties)
        {
            var refusal = Owned.TryGetValue(key, out var owned) ? owned : Rejection(Single(key, value), Untransacted) switch
            {
                null => null,
                { UnknownSetting: true } => "is not a librdkafka setting (see CONFIGURATION.md of librdkafka for the names)",
                var rejection => $"has a value librdkafka does not accept{rejection.Reason}",
            };
            if (refusal is not null)
            {
                refused = true;
                yield return $"Kafka:Properties:{key} {refusal}.";
            }
        }

        // Each setting passed alone; librdkafka also weighs some against each other (a fetch must hold the largest message).
        if (!refused && properties.Count > 1 && Rejection(properties, Untransacted) is { } together)
        {
            yield return $"Kafka:Properties {Keys(properties)} have values librdkafka does not accept together{together.Reason}.";
        }
    }

    /// <summary>
    /// What librdkafka refuses only on the stream threads' transactional producers, for properties that pass
    /// <see cref="Problems"/> (those that do not are reported there): it weighs some settings against the transaction
    /// timeout, as a message may not outlive its transaction. Null under at_least_once, whose producers are not
    /// transactional.
    /// </summary>
    public static string? ProblemBeside(StreamsOptions streams, IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(properties);
        if (streams.ProcessingGuarantee != ProcessingGuarantee.ExactlyOnceV2 || properties.Count == 0 || Problems(properties).Any()
            || Rejection(properties, streams) is not { } rejection)
        {
            return null;
        }

        // Name the one setting to change when one is refused on its own; else all of them, as together they are.
        var alone = properties.Keys.Order(StringComparer.Ordinal).FirstOrDefault(key => Rejection(Single(key, properties[key]), streams) is not null);
        var beside = $"beside Streams:ProcessingGuarantee {streams.ProcessingGuarantee} and Streams:TransactionTimeoutMs {streams.TransactionTimeoutMs}{rejection.Reason}.";
        return alone is not null
            ? $"Kafka:Properties:{alone} has a value librdkafka does not accept {beside}"
            : $"Kafka:Properties {Keys(properties)} have values librdkafka does not accept together {beside}";
    }

    private static string Keys(IReadOnlyDictionary<string, string> properties) => string.Join(", ", properties.Keys.Order(StringComparer.Ordinal));

    /// <summary>Why librdkafka refused; <see cref="Reason"/> is its own words with every given value masked, as one may be a secret.</summary>
    private sealed record LibrdkafkaRejection(bool UnknownSetting, string Reason);

    private static Dictionary<string, string> Single(string key, string value) => new(StringComparer.Ordinal) { [key] = value };

    /// <summary>
    /// Builds a producer and a consumer the way a stream thread configures its own under <paramref name="streams"/>
    /// (idempotent, range-assigned, transactional under exactly_once_v2, and so on), since librdkafka refuses some
    /// values only beside those settings. Building connects to nothing that answers.
    /// </summary>
    private static LibrdkafkaRejection? Rejection(IReadOnlyDictionary<string, string> properties, StreamsOptions streams)
    {
        const string Name = "c360-property-check";
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9", Properties = new(properties, StringComparer.Ordinal) };
        try
        {
            using (new ProducerBuilder<Null, Null>(KafkaClientConfigs.StreamProducer(options, streams, Name, 1, Name)).SetLogHandler(KafkaClientLog.Discard).Build())
            {
            }

            using (new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.StreamConsumer(options, streams, Name, 1, Name)).SetLogHandler(KafkaClientLog.Discard).Build())
            {
            }

            return null;
        }
        catch (Exception ex) when (ex is KafkaException or ArgumentException or InvalidOperationException)
        {
            return new LibrdkafkaRejection(
                ex.Message.Contains("No such configuration property", StringComparison.OrdinalIgnoreCase),
                $" (librdkafka: {Masked(ex.Message, properties.Values).TrimEnd().TrimEnd('.')})");
        }
    }

    /// <summary>
    /// librdkafka's words without the values given: a quoted one, and each value wherever it appears, or where it stands
    /// alone when it is one or two characters (a small number, which is no secret, inside the range librdkafka quotes).
    /// The reason used to be withheld whenever it repeated a value, and a range's "5" hid why 5 was refused.
    /// </summary>
    private static string Masked(string message, IEnumerable<string> values)
    {
        var masked = QuotedValue().Replace(message, "value \"…\"");
        foreach (var value in values.Where(v => v.Length > 0).OrderByDescending(v => v.Length))
        {
            masked = value.Length >= 3
                ? masked.Replace(value, "…", StringComparison.Ordinal)
                : Regex.Replace(masked, $@"(?<![\w.]){Regex.Escape(value)}(?![\w.])", "…", RegexOptions.None, TimeSpan.FromSeconds(1));
        }

        return masked;
    }

    [GeneratedRegex("value \"[^\"]*\"", RegexOptions.IgnoreCase)]
    private static partial Regex QuotedValue();
}
