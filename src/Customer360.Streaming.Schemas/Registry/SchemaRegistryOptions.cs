using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>How to reach a Confluent-compatible Schema Registry (configuration section <c>SchemaRegistry</c>).</summary>
public sealed class SchemaRegistryOptions
{
    public const string SectionName = "SchemaRegistry";

    /// <summary>One or more base URLs, comma-separated; tried in turn when one fails.</summary>
    [Required(ErrorMessage = "SchemaRegistry:Url is required, e.g. http://127.0.0.1:8081 (C360__SchemaRegistry__Url).")]
    [RegularExpression(@"^\s*https?://[^\s,]+(\s*,\s*https?://[^\s,]+)*\s*$", ErrorMessage = "SchemaRegistry:Url must be one or more comma-separated http(s):// URLs.")]
    public string Url { get; set; } = string.Empty;

    /// <summary><c>user:password</c> for HTTP basic authentication. Never logged.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>PEM file of the CA that signed the registry's certificate, when it is not in the system store.</summary>
    public string? SslCaLocation { get; set; }

    [Range(100, 300_000, ErrorMessage = "SchemaRegistry:RequestTimeoutMs must be between 100 and 300000.")]
    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>Retries after a 5xx, 429 or network failure, with exponential backoff.</summary>
    [Range(0, 20, ErrorMessage = "SchemaRegistry:MaxRetries must be between 0 and 20.")]
    public int MaxRetries { get; set; } = 3;

    [Range(1, 60_000, ErrorMessage = "SchemaRegistry:RetryBackoffMs must be between 1 and 60000.")]
    public int RetryBackoffMs { get; set; } = 100;

    [Range(1, 600_000, ErrorMessage = "SchemaRegistry:RetryBackoffMaxMs must be between 1 and 600000.")]
    public int RetryBackoffMaxMs { get; set; } = 2_000;

    [Range(1, 1_000_000, ErrorMessage = "SchemaRegistry:MaxCachedSchemas must be between 1 and 1000000.")]
    public int MaxCachedSchemas { get; set; } = 1_000;

    /// <summary>
    /// How long a schema id the registry answers "not found" for is retried (its partition paused, readiness false)
    /// before records carrying it are dead-lettered: a registry restored empty or late is not the records' fault.
    /// 0 dead-letters them at once.
    /// </summary>
    [Range(0, 86_400, ErrorMessage = "SchemaRegistry:UnknownIdRetrySeconds must be between 0 and 86400.")]
    public int UnknownIdRetrySeconds { get; set; } = 60;
}
