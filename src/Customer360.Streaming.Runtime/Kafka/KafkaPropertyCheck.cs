using System.Text.RegularExpressions;
using Confluent.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Checks <c>Kafka:Properties</c> at startup the way librdkafka will read them: they are set on a producer and a
/// consumer configured as the stream threads' own, built and closed at once (no connection is made), and when librdkafka
/// refuses them the setting to blame is found (see <see cref="Refused"/>), so an unknown setting or a value librdkafka
/// refuses fails validation naming the key, instead of a stack trace when the first client is built. Values are never
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

    /// <summary>
    /// Settings a properties file written for the Java client carries beside the client's own (its serializers, the
    /// Schema Registry's settings), with what c360 takes instead: librdkafka only says they are unknown. For the Java
    /// client's JAAS and truststore settings librdkafka gives its own advice, which the message passes on.
    /// </summary>
    private static readonly Dictionary<string, string> JavaClientNames = new(StringComparer.Ordinal)
    {
        ["key.serializer"] = Serdes,
        ["value.serializer"] = Serdes,
        ["key.deserializer"] = Serdes,
        ["value.deserializer"] = Serdes,
        ["schema.registry.url"] = "the Schema Registry is SchemaRegistry:Url",
        ["basic.auth.user.info"] = RegistryCredentials,
        ["basic.auth.credentials.source"] = RegistryCredentials,
        ["ssl.keystore.type"] = "librdkafka reads a PKCS#12 keystore from ssl.keystore.location, or PEM from ssl.certificate.location and ssl.key.location",
    };

    private const string Serdes = "the Java client's; c360 encodes and decodes records itself (Avro through SchemaRegistry:*)";

    private const string RegistryCredentials = "the Schema Registry's credentials are SchemaRegistry:BasicAuthUserInfo";

    /// <summary>The clients every deployment builds: the stream threads' as under at_least_once, and the tools'.</summary>
    private static readonly StreamsOptions Untransacted = new() { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce };

    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var librdkafkas = properties.Where(p => !Owned.ContainsKey(p.Key)).ToDictionary(StringComparer.Ordinal);
        var (together, clashing, refused) = Refused(librdkafkas, Untransacted);
        foreach (var key in properties.Keys)
        {
            var refusal = Owned.TryGetValue(key, out var owned) ? owned : refused.GetValueOrDefault(key) switch
            {
                null => null,
                { UnknownSetting: true } => JavaClientNames.TryGetValue(key, out var instead)
                    ? $"is not a librdkafka setting: {instead}"
                    : "is not a librdkafka setting (see CONFIGURATION.md of librdkafka for the names)",
                var rejection => $"has a value librdkafka does not accept{rejection.Reason}",
            };
            if (refusal is not null)
            {
                yield return $"Kafka:Properties:{key} {refusal}.";
            }
        }

        // No one setting is to blame; librdkafka weighs some against each other (a fetch must hold the largest message).
        if (together is not null && refused.Count == 0)
        {
            yield return $"Kafka:Properties {clashing} have values librdkafka does not accept together{together.Reason}.";
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
            || Refused(properties, streams) is not ({ } together, var clashing, var refused))
        {
            return null;
        }

        // Name the one setting to change when one is to blame; else all of them, as together they are.
        var beside = $"beside Streams:ProcessingGuarantee {streams.ProcessingGuarantee} and Streams:TransactionTimeoutMs {streams.TransactionTimeoutMs}";
        return refused.OrderBy(refusal => refusal.Key, StringComparer.Ordinal).FirstOrDefault() is { Key: { } key } blamed
            ? $"Kafka:Properties:{key} has a value librdkafka does not accept {beside}{blamed.Value.Reason}."
            : $"Kafka:Properties {clashing} have values librdkafka does not accept together {beside}{together.Reason}.";
    }

    /// <summary>
    /// Why librdkafka refuses the settings together (null when it accepts them), and which of them it refuses, each with
    /// why. Some settings need each other (<c>security.protocol</c> SASL_SSL is refused alone, as its default mechanism
    /// may have no provider, and accepted beside <c>sasl.mechanism</c> PLAIN), so a setting is to blame when it is refused
    /// beside every setting librdkafka accepts on its own, not merely when it is refused alone. When none is, the ones
    /// that clash are those without any one of which the rest pass (all of them if there are none such). Nothing is
    /// refused when they pass together: what librdkafka accepts as a whole is what the clients are built with. A valid
    /// set costs one check, not one per setting.
    /// </summary>
    private static (LibrdkafkaRejection? Together, string Clashing, Dictionary<string, LibrdkafkaRejection> Blamed) Refused(
        IReadOnlyDictionary<string, string> properties, StreamsOptions streams)
    {
        var refused = new Dictionary<string, LibrdkafkaRejection>(StringComparer.Ordinal);
        if (properties.Count == 0 || Rejection(properties, streams) is not { } together)
        {
            return (null, string.Empty, refused);
        }

        var refusedAlone = properties.Keys.Where(key => Rejection(Single(key, properties[key]), streams) is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var key in refusedAlone)
        {
            var besideTheAccepted = properties.Where(p => p.Key == key || !refusedAlone.Contains(p.Key)).ToDictionary(StringComparer.Ordinal);
            if (Rejection(besideTheAccepted, streams) is { } rejection)
            {
                refused[key] = rejection;
            }
        }

        var clashing = refused.Count > 0 ? [] : properties.Keys.Where(key => Rejection(Without(properties, key), streams) is null).ToList();
        return (together, string.Join(", ", (clashing.Count > 0 ? clashing : properties.Keys).Order(StringComparer.Ordinal)), refused);
    }

    private static Dictionary<string, string> Without(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.Where(p => p.Key != key).ToDictionary(StringComparer.Ordinal);

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
