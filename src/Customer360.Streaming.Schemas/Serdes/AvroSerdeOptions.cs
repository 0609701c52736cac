using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Schemas.Serdes;

/// <summary>How subjects are named for a record (Confluent's strategies).</summary>
public enum SubjectNameStrategy
{
    /// <summary><c>&lt;topic&gt;-value</c>: one record type per topic (the default).</summary>
    Topic,

    /// <summary>The record's full name, shared by every topic carrying it.</summary>
    Record,

    /// <summary><c>&lt;topic&gt;-&lt;fullname&gt;</c>: several record types per topic, each evolving on its own.</summary>
    TopicRecord,
}

/// <summary>Serializer and deserializer behaviour (configuration section <c>Avro</c>).</summary>
public sealed class AvroSerdeOptions : IValidatableObject
{
    public const string SectionName = "Avro";

    public SubjectNameStrategy SubjectNameStrategy { get; set; } = SubjectNameStrategy.Topic;

    /// <summary>Register the writer's schema on first use. Turn off in production and register from CI (<c>c360 schemas register</c>).</summary>
    public bool AutoRegisterSchemas { get; set; } = true;

    /// <summary>Write with the subject's latest registered schema instead of looking up the record's own.</summary>
    public bool UseLatestVersion { get; set; }

    /// <summary>Ask the registry to normalize schemas on registration.</summary>
    public bool NormalizeSchemas { get; set; }

    /// <summary>Payloads larger than this are refused before decoding.</summary>
    [Range(16, 64 * 1024 * 1024, ErrorMessage = "Avro:MaxPayloadBytes must be between 16 and 67108864.")]
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The longest a stream thread waits for the registry (a schema it has not seen yet). Beyond it the record is
    /// retried, its partition paused, while the lookup goes on: a slow registry never stalls polling.
    /// </summary>
    [Range(10, 600_000, ErrorMessage = "Avro:RegistryWaitMs must be between 10 and 600000.")]
    public int RegistryWaitMs { get; set; } = 2_000;

    /// <summary><see cref="RegistryWaitMs"/> as a span.</summary>
    public TimeSpan RegistryWait => TimeSpan.FromMilliseconds(RegistryWaitMs);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AutoRegisterSchemas && UseLatestVersion)
        {
            yield return new ValidationResult(
                "Avro:AutoRegisterSchemas and Avro:UseLatestVersion cannot both be true (as in Confluent's serdes): choose one.",
                [nameof(AutoRegisterSchemas), nameof(UseLatestVersion)]);
        }
    }

    /// <summary>Throws when the combination is invalid; serdes call this so direct construction is checked too.</summary>
    public void EnsureValid()
    {
        var problem = Validate(new ValidationContext(this)).FirstOrDefault();
        if (problem is not null)
        {
            throw new ArgumentException(problem.ErrorMessage);
        }

        if (MaxPayloadBytes is < 16 or > 64 * 1024 * 1024)
        {
            throw new ArgumentException("Avro:MaxPayloadBytes must be between 16 and 67108864.");
        }

        if (RegistryWaitMs is < 10 or > 600_000)
        {
            throw new ArgumentException("Avro:RegistryWaitMs must be between 10 and 600000.");
        }
    }

    public static string Subject(SubjectNameStrategy strategy, string topic, string recordFullName, bool isKey = false) => strategy switch
    {
        SubjectNameStrategy.Topic => $"{topic}-{(isKey ? "key" : "value")}",
        SubjectNameStrategy.Record => recordFullName,
        SubjectNameStrategy.TopicRecord => $"{topic}-{recordFullName}",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };
}
