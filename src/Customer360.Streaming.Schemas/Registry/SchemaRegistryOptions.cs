using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// How to reach a Confluent-compatible Schema Registry (configuration section <c>SchemaRegistry</c>). At most one
/// kind of authentication: basic, a static bearer token, or OAuth client credentials. Secrets are never logged.
/// </summary>
public sealed class SchemaRegistryOptions : IValidatableObject
{
    public const string SectionName = "SchemaRegistry";

    /// <summary>One or more base URLs, comma-separated; tried in turn when one fails.</summary>
    [Required(ErrorMessage = "SchemaRegistry:Url is required, e.g. http://127.0.0.1:8081 (C360__SchemaRegistry__Url).")]
    [RegularExpression(@"^\s*https?://[^\s,]+(\s*,\s*https?://[^\s,]+)*\s*$", ErrorMessage = "SchemaRegistry:Url must be one or more comma-separated http(s):// URLs.")]
    public string Url { get; set; } = string.Empty;

    /// <summary><c>user:password</c> for HTTP basic authentication. Never logged.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>A static bearer token (Confluent Cloud API keys use basic auth; identity providers issue tokens). Never logged.</summary>
    public string? BearerAuthToken { get; set; }

    /// <summary>Confluent Cloud: the registry's logical cluster (<c>lsrc-…</c>), sent with a bearer token.</summary>
    public string? BearerAuthLogicalCluster { get; set; }

    /// <summary>Confluent Cloud: the identity pool (<c>pool-…</c>), sent with a bearer token.</summary>
    public string? BearerAuthIdentityPoolId { get; set; }

    /// <summary>OAuth client credentials: the client id; with a secret and a token endpoint, tokens are fetched and refreshed.</summary>
    public string? BearerAuthClientId { get; set; }

    /// <summary>OAuth client credentials: the client secret. Never logged.</summary>
    public string? BearerAuthClientSecret { get; set; }

    public string? BearerAuthScope { get; set; }

    public string? BearerAuthTokenEndpointUrl { get; set; }

    /// <summary>PEM file of the CA that signed the registry's certificate, when it is not in the system store.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>PKCS#12 file with the client certificate and key, for registries that require mutual TLS.</summary>
    public string? SslKeystoreLocation { get; set; }

    /// <summary>Password of <see cref="SslKeystoreLocation"/>. Never logged.</summary>
    public string? SslKeystorePassword { get; set; }

    /// <summary>An HTTP proxy for every registry call (and the OAuth token endpoint).</summary>
    public string? ProxyUrl { get; set; }

    /// <summary>How long "latest version" answers are reused; 0 asks the registry every time.</summary>
    [Range(0, 86_400, ErrorMessage = "SchemaRegistry:LatestCacheTtlSecs must be between 0 and 86400.")]
    public int LatestCacheTtlSecs { get; set; }

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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var kinds = new[] { BasicAuthUserInfo, BearerAuthToken, BearerAuthClientId }.Count(v => !string.IsNullOrEmpty(v));
        if (kinds > 1)
        {
            yield return new ValidationResult(
                "SchemaRegistry: set one kind of authentication: BasicAuthUserInfo, BearerAuthToken, or BearerAuthClientId with BearerAuthClientSecret and BearerAuthTokenEndpointUrl.");
        }

        if (!string.IsNullOrEmpty(BasicAuthUserInfo) && !BasicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            yield return new ValidationResult("SchemaRegistry:BasicAuthUserInfo must be 'user:password'.", [nameof(BasicAuthUserInfo)]);
        }

        if (!string.IsNullOrEmpty(BearerAuthClientId)
            && (string.IsNullOrEmpty(BearerAuthClientSecret) || !IsHttpUrl(BearerAuthTokenEndpointUrl)))
        {
            yield return new ValidationResult(
                "SchemaRegistry:BearerAuthClientId needs BearerAuthClientSecret and an http(s) BearerAuthTokenEndpointUrl.", [nameof(BearerAuthClientId)]);
        }

        if (!string.IsNullOrEmpty(ProxyUrl) && !IsHttpUrl(ProxyUrl))
        {
            yield return new ValidationResult("SchemaRegistry:ProxyUrl must be an http(s):// URL.", [nameof(ProxyUrl)]);
        }

        foreach (var (name, path) in new[] { (nameof(SslCaLocation), SslCaLocation), (nameof(SslKeystoreLocation), SslKeystoreLocation) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"SchemaRegistry:{name} names a file that does not exist.", [name]);
            }
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
