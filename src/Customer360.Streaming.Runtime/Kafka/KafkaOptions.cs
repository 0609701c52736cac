using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Runtime.Kafka;

/// <summary>How the processor reaches Kafka (configuration section <c>Kafka</c>).</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> list.</summary>
    [Required(ErrorMessage = "Kafka:BootstrapServers is required: a comma-separated host:port list (C360__Kafka__BootstrapServers).")]
    [BootstrapServers]
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>What an application id may be: it names a consumer group and topics, so what Kafka takes in both.</summary>
    public const string ApplicationIdPattern = "^[A-Za-z0-9._-]{1,100}$";

    /// <summary>Names the consumer group, the transactional ids and the internal topics.</summary>
    [Required(ErrorMessage = "Kafka:ApplicationId is required.")]
    [RegularExpression(ApplicationIdPattern, ErrorMessage = "Kafka:ApplicationId must be 1-100 letters, digits, '.', '_' or '-'.")]
    public string ApplicationId { get; set; } = "c360";

    /// <summary>How often processed positions are committed.</summary>
    [Range(10, 60_000, ErrorMessage = "Kafka:CommitIntervalMs must be between 10 and 60000.")]
    public int CommitIntervalMs { get; set; } = 100;

    /// <summary>
    /// Under exactly_once_v2, how soon after a commit an output that asked to be seen promptly (a trigger, a store
    /// event; <see cref="Processing.IProcessorContext.RequestCommit"/>) brings the next commit forward; at most
    /// <see cref="CommitIntervalMs"/>, which it is capped at. Smaller values show such outputs sooner and commit more often.
    /// </summary>
    [Range(1, 60_000, ErrorMessage = "Kafka:PromptCommitIntervalMs must be between 1 and 60000.")]
    public int PromptCommitIntervalMs { get; set; } = 50;

    /// <summary>How long a fetch may wait for data; small values trade broker load for latency.</summary>
    [Range(1, 10_000, ErrorMessage = "Kafka:FetchWaitMaxMs must be between 1 and 10000.")]
    public int FetchWaitMaxMs { get; set; } = 100;

    /// <summary>
    /// How long the producer waits to fill a batch before sending it (librdkafka's <c>linger.ms</c>). Every event
    /// pays it up to twice on its way to a trigger (the repartition hop and the output); 0 sends at once, with smaller
    /// batches and more produce requests.
    /// </summary>
    [Range(0, 1_000, ErrorMessage = "Kafka:LingerMs must be between 0 and 1000.")]
    public int LingerMs { get; set; } = 5;

    /// <summary>How long startup waits for cluster metadata before giving up.</summary>
    [Range(1, 600, ErrorMessage = "Kafka:StartupTimeoutSeconds must be between 1 and 600.")]
    public int StartupTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Extra librdkafka properties passed to every client as they are (for example <c>security.protocol</c>,
    /// <c>sasl.mechanism</c>, <c>ssl.ca.location</c>). Values are never logged.
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        KafkaPropertyCheck.Problems(Properties).Select(problem => new ValidationResult(problem, [nameof(Properties)]));
}
