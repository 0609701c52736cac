namespace Customer360.Streaming.Schemas.Registry;

/// <summary>The subset of the Confluent Schema Registry REST API the serdes and the CLI use.</summary>
public interface ISchemaRegistryClient
{
    Task<int> RegisterAsync(string subject, string schema, bool normalize = false, CancellationToken cancellationToken = default);

    Task<RegisteredSchema> LookupAsync(string subject, string schema, CancellationToken cancellationToken = default);

    Task<string> GetSchemaAsync(int id, CancellationToken cancellationToken = default);

    Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default);

    Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default);

    Task<CompatibilityResult> TestCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default);

    Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default);

    Task SetCompatibilityAsync(CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default);
}
