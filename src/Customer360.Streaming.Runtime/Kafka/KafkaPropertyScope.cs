using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Which kind of client a <c>Kafka:Properties</c> setting is for, in librdkafka's own judgement: a client given a
/// setting of the other kind logs a warning that it ignores it ("session.timeout.ms is a consumer property and will be
/// ignored by this producer instance"). Each setting is asked about once, by building a producer and a consumer with it
/// alone (they connect to nothing), so no hand-kept list of names goes stale when librdkafka changes.
/// </summary>
internal static class KafkaPropertyScope
{
    [Flags]
    private enum Clients
    {
        Producers = 1,
        Consumers = 2,
        Both = Producers | Consumers,
    }

    /// <summary>Keyed by the setting's name alone: its kind does not depend on its value.</summary>
    private static readonly ConcurrentDictionary<string, Clients> Known = new(StringComparer.Ordinal);

    /// <summary>Producers, and admin clients, which librdkafka builds as producers.</summary>
    public static bool ForProducers(string key, string value) => Of(key, value).HasFlag(Clients.Producers);

    public static bool ForConsumers(string key, string value) => Of(key, value).HasFlag(Clients.Consumers);

    private static Clients Of(string key, string value) => Known.GetOrAdd(key, static (name, given) => Ask(name, given), value);

    private static Clients Ask(string key, string value)
    {
        var scope = Clients.Both;
        try
        {
            var producer = With(new ProducerConfig(), key, value);
            if (Ignores(log => new ProducerBuilder<Null, Null>(producer).SetLogHandler(log).Build()))
            {
                scope &= ~Clients.Producers;
            }

            var consumer = With(new ConsumerConfig { GroupId = "c360-property-scope" }, key, value);
            if (Ignores(log => new ConsumerBuilder<Ignore, Ignore>(consumer).SetLogHandler(log).Build()))
            {
                scope &= ~Clients.Consumers;
            }
        }
        catch (Exception ex) when (ex is KafkaException or ArgumentException or InvalidOperationException)
        {
            // Unknown, or a value librdkafka refuses: every client gets it, and the one built first reports it (and
            // KafkaPropertyCheck refuses it at startup before that).
            return Clients.Both;
        }

        return scope;
    }

    private static TConfig With<TConfig>(TConfig config, string key, string value)
        where TConfig : ClientConfig
    {
        config.BootstrapServers = "127.0.0.1:9";
        config.Set(key, value);
        return config;
    }

    /// <summary>
    /// Whether the client <paramref name="build"/> makes says it ignores a setting: librdkafka checks a new client's
    /// settings while building it, on the building thread.
    /// </summary>
    private static bool Ignores(Func<Action<IClient, LogMessage>, IClient> build)
    {
        var ignored = 0;
        using (build((_, message) =>
        {
            if (message.Facility == "CONFWARN" && message.Message.Contains(" property and will be ignored by this ", StringComparison.Ordinal))
            {
                Interlocked.Exchange(ref ignored, 1);
            }
        }))
        {
        }

        return Volatile.Read(ref ignored) == 1;
    }
}
