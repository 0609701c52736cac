using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>
/// Checks <c>Kafka:Properties</c> at startup the way librdkafka will read them: each entry is set on a client of its
/// own that is built and closed at once (no connection is made), so an unknown setting or a value librdkafka refuses
/// fails validation naming the key, instead of a stack trace when the first client is built. Values are never
/// repeated in the message: they may be secrets.
/// </summary>
public static class KafkaPropertyCheck
{
    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        foreach (var (key, value) in properties)
        {
            if (Refusal(key, value) is { } refusal)
            {
                yield return $"Kafka:Properties:{key} {refusal}.";
            }
        }
    }

    private static string? Refusal(string key, string value)
    {
        try
        {
            var config = new ClientConfig(new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value })
            {
                BootstrapServers = "127.0.0.1:9",
            };
            using var probe = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, _) => { }).Build();
            return null;
        }
        catch (Exception ex) when (ex is KafkaException or ArgumentException or InvalidOperationException)
        {
            return ex.Message.Contains("No such configuration property", StringComparison.OrdinalIgnoreCase)
                ? "is not a librdkafka setting (see CONFIGURATION.md of librdkafka for the names)"
                : "has a value librdkafka does not accept (the value is not shown: it may be a secret)";
        }
    }
}
