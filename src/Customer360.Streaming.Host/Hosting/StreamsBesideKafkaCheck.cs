using System.Globalization;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Streams settings that have to agree with Kafka settings, which each section's own checks cannot see:
/// <list type="bullet">
/// <item>a dead letter has to be a record the producer can send: with <c>Kafka:Properties:message.max.bytes</c> below
/// <c>Streams:DeadLetterMaxBytes</c>, the first large hostile record would be one no retry can send, which stops the
/// processor;</item>
/// <item>under exactly_once_v2 a transaction stays open from one commit to the next, so a <c>Kafka:CommitIntervalMs</c>
/// above <c>Streams:TransactionTimeoutMs</c> had the broker abort every one and fence the producer (Kafka Streams
/// refuses the same at startup);</item>
/// <item>librdkafka refuses some <c>Kafka:Properties</c> only on a transactional producer (a <c>message.timeout.ms</c>
/// above the transaction timeout), and the first stream thread failed.</item>
/// </list>
/// </summary>
/// <remarks>Reads the Kafka settings from the configuration: the Kafka options are validated on their own, and reading
/// them here would put their failure in place of these.</remarks>
internal sealed class StreamsBesideKafkaCheck(IConfiguration configuration) : IValidateOptions<StreamsOptions>
{
    /// <summary>librdkafka's default <c>message.max.bytes</c>.</summary>
    public const int ProducerDefaultMaxBytes = 1_000_000;

    /// <summary>Room for what a record costs beyond its key, value and headers.</summary>
    public const int RecordOverheadBytes = 1_000;

    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [.. DeadLetterSize(options)];
        if (options.ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2)
        {
            failures.AddRange(Transactions(options));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> DeadLetterSize(StreamsOptions options)
    {
        var producerMax = Integer(configuration, $"{KafkaOptions.SectionName}:Properties:message.max.bytes") ?? ProducerDefaultMaxBytes;
        if (options.DeadLetterMaxBytes + RecordOverheadBytes > producerMax)
        {
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"Streams:DeadLetterMaxBytes ({options.DeadLetterMaxBytes}) must be at least {RecordOverheadBytes} bytes below the producer's message.max.bytes ({producerMax}): a dead letter that size could not be sent.");
        }
    }

    private IEnumerable<string> Transactions(StreamsOptions options)
    {
        // A value that is not a number is the Kafka section's failure to report.
        var commitIntervalMs = ConfiguredCommitIntervalMs(configuration) ?? new KafkaOptions().CommitIntervalMs;
        if (commitIntervalMs > options.TransactionTimeoutMs)
        {
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"Kafka:CommitIntervalMs ({commitIntervalMs}) must be at most Streams:TransactionTimeoutMs ({options.TransactionTimeoutMs}) under ExactlyOnceV2: a transaction stays open from one commit to the next, and the broker aborts one that outlives its timeout.");
            yield break;
        }

        var properties = configuration.GetSection($"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Properties)}").GetChildren()
            .ToDictionary(entry => entry.Key, entry => entry.Value ?? string.Empty, StringComparer.Ordinal);
        if (KafkaPropertyCheck.ProblemBeside(options, properties) is { } problem)
        {
            yield return problem;
        }
    }

    /// <summary><c>Kafka:CommitIntervalMs</c> as configured, or null when it is not set or not a number (the Kafka section's failure to report).</summary>
    public static int? ConfiguredCommitIntervalMs(IConfiguration configuration) =>
        Integer(configuration, $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.CommitIntervalMs)}");

    private static int? Integer(IConfiguration configuration, string key) =>
        int.TryParse(configuration[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
