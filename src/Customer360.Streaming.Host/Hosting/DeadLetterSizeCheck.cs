using System.Globalization;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// A dead letter has to be a record the producer can send: with <c>Kafka:Properties:message.max.bytes</c> lowered
/// below <c>Streams:DeadLetterMaxBytes</c>, the first large hostile record would be one no retry can send, which
/// stops the processor.
/// </summary>
/// <remarks>Reads the setting from the configuration: the Kafka options are validated on their own, and reading them here
/// would put their failure in place of this one.</remarks>
internal sealed class DeadLetterSizeCheck(IConfiguration configuration) : IValidateOptions<StreamsOptions>
{
    /// <summary>librdkafka's default <c>message.max.bytes</c>.</summary>
    public const int ProducerDefaultMaxBytes = 1_000_000;

    /// <summary>Room for what a record costs beyond its key, value and headers.</summary>
    public const int RecordOverheadBytes = 1_000;

    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = configuration[$"{KafkaOptions.SectionName}:Properties:message.max.bytes"];
        var producerMax = int.TryParse(configured, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) ? bytes : ProducerDefaultMaxBytes;
        return options.DeadLetterMaxBytes + RecordOverheadBytes <= producerMax
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"Streams:DeadLetterMaxBytes ({options.DeadLetterMaxBytes}) must be at least {RecordOverheadBytes} bytes below the producer's message.max.bytes ({producerMax}): a dead letter that size could not be sent."));
    }
}
