using System.Globalization;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Under exactly_once_v2 each stream thread's producer is transactional, and Kafka settings outside the Streams
/// section have to agree with its transactions, which each checked on its own did not see:
/// <list type="bullet">
/// <item>a transaction stays open from one commit to the next, so <c>Kafka:CommitIntervalMs</c> above
/// <c>Streams:TransactionTimeoutMs</c> had the broker abort every one and fence the producer (Kafka Streams refuses
/// the same at startup);</item>
/// <item>librdkafka refuses some <c>Kafka:Properties</c> only on a transactional producer (a <c>message.timeout.ms</c>
/// above the transaction timeout), and the first stream thread failed.</item>
/// </list>
/// </summary>
/// <remarks>Reads the Kafka settings from the configuration, as <see cref="DeadLetterSizeCheck"/> does: the Kafka options
/// are validated on their own, and reading them here would put their failure in place of this one.</remarks>
internal sealed class TransactionSettingsCheck(IConfiguration configuration) : IValidateOptions<StreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ProcessingGuarantee != ProcessingGuarantee.ExactlyOnceV2)
        {
            return ValidateOptionsResult.Success;
        }

        var configured = configuration[$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.CommitIntervalMs)}"];
        var commitIntervalMs = configured is null ? new KafkaOptions().CommitIntervalMs
            : int.TryParse(configured, NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given : 0;
        if (commitIntervalMs > options.TransactionTimeoutMs)
        {
            return ValidateOptionsResult.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"Kafka:CommitIntervalMs ({commitIntervalMs}) must be at most Streams:TransactionTimeoutMs ({options.TransactionTimeoutMs}) under ExactlyOnceV2: a transaction stays open from one commit to the next, and the broker aborts one that outlives its timeout."));
        }

        var properties = configuration.GetSection($"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Properties)}").GetChildren()
            .ToDictionary(entry => entry.Key, entry => entry.Value ?? string.Empty, StringComparer.Ordinal);
        return KafkaPropertyCheck.ProblemBeside(options, properties) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
