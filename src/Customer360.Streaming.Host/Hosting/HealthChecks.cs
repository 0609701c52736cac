using System.Text.Json;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Ready while the worker is in its group with a settled assignment and no partition paused; live until it has failed.</summary>
internal sealed class ProcessorHealthCheck(StreamProcessorService processor) : IHealthCheck
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = processor.Worker?.Status;
        var data = new Dictionary<string, object>
        {
            ["phase"] = (status?.Phase ?? WorkerPhase.Created).ToString(),
            ["assignedPartitions"] = status?.AssignedPartitions.Count ?? 0,
            ["recordsConsumed"] = status?.RecordsConsumed ?? 0,
            ["commits"] = status?.Commits ?? 0,
            ["pausedPartitions"] = status?.Partitions.Count(p => p.Paused) ?? 0,
        };
        var wantsReady = context.Registration.Tags.Contains(ReadyTag);
        var result = status switch
        {
            null => HealthCheckResult.Unhealthy("worker not started", data: data),
            { Phase: WorkerPhase.Failed } => HealthCheckResult.Unhealthy("worker failed", data: data),
            { IsReady: false } when wantsReady => HealthCheckResult.Unhealthy("not in the group with an assignment yet", data: data),
            _ when wantsReady && status.Partitions.Any(p => p.Paused) => HealthCheckResult.Unhealthy("partitions paused while a dependency is down", data: data),
            _ => HealthCheckResult.Healthy("consuming", data),
        };
        return Task.FromResult(result);
    }
}

/// <summary>Ready only while Redis answers: contexts cannot be materialized without it.</summary>
internal sealed class RedisHealthCheck(RedisConnectionService redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (redis.Connection is not { IsConnected: true } connection)
        {
            return HealthCheckResult.Unhealthy("not connected");
        }

        var latency = await connection.GetDatabase().PingAsync();
        return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
    }
}

/// <summary>Writes health reports as small JSON documents operators and scripts can read.</summary>
internal static class HealthReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
