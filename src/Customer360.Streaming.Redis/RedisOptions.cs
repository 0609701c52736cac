using System.ComponentModel.DataAnnotations;

namespace Customer360.Streaming.Redis;

/// <summary>Where the live context is materialized (configuration section <c>Redis</c>).</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>host:6380,ssl=true,password=…</c>. Never logged.</summary>
    [Required(ErrorMessage = "Redis:ConnectionString is required, e.g. 127.0.0.1:6379 (C360__Redis__ConnectionString).")]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Prefix of every key this deployment writes, so several deployments can share one Redis.</summary>
    /// <remarks>Required as well: a regular expression lets an empty value (a deployment's unset variable) through.</remarks>
    [Required(ErrorMessage = "Redis:KeyPrefix must be 1-32 letters, digits, '_' or '-'.")]
    [RegularExpression("^[A-Za-z0-9_-]{1,32}$", ErrorMessage = "Redis:KeyPrefix must be 1-32 letters, digits, '_' or '-'.")]
    public string KeyPrefix { get; set; } = "c360";

    [Range(100, 60_000, ErrorMessage = "Redis:ConnectTimeoutMs must be between 100 and 60000.")]
    public int ConnectTimeoutMs { get; set; } = 5_000;
}
