using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Under exactly_once_v2 the stream threads' producers are transactional, and librdkafka refuses some
/// <c>Kafka:Properties</c> only there (a <c>message.timeout.ms</c> above <c>Streams:TransactionTimeoutMs</c>): checked
/// with the Kafka section alone they passed, and the first stream thread failed.
/// </summary>
/// <remarks>Reads the properties from the configuration, as <see cref="DeadLetterSizeCheck"/> does: the Kafka options are
/// validated on their own, and reading them here would put their failure in place of this one.</remarks>
internal sealed class TransactionalPropertiesCheck(IConfiguration configuration) : IValidateOptions<StreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var properties = configuration.GetSection($"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Properties)}").GetChildren()
            .ToDictionary(entry => entry.Key, entry => entry.Value ?? string.Empty, StringComparer.Ordinal);
        return KafkaPropertyCheck.ProblemBeside(options, properties) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
