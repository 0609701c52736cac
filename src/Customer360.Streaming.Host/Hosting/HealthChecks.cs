using System.Text.Json;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Ready while every stream thread is in its group with a settled assignment and no partition paused; live until one
/// has failed for good, and while the processor waits for the cluster at startup (which gives up on its own).
/// </summary>
internal sealed class ProcessorHealthCheck(StreamProcessorService processor) : IHealthCheck
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Before the stream threads start: the processor checks the cluster's topics first, for at most <c>Kafka:StartupTimeoutSeconds</c>.</summary>
    private const string WaitingForCluster = "starting: waiting for metadata from the Kafka cluster";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Assess(processor.Processor?.Status, readiness: context.Registration.Tags.Contains(ReadyTag)));

    /// <summary>
    /// Live unless the worker failed. Ready only while running with an assignment and nothing paused: not while
    /// joining, restoring changelogs or rebalancing, and not while partitions wait on a dependency to retry a record.
    /// </summary>
    internal static HealthCheckResult Assess(StreamProcessorStatus? status, bool readiness)
    {
        var partitions = status?.Partitions ?? [];
        var paused = partitions.Count(p => p.Paused);
        var data = new Dictionary<string, object>
        {
            ["phase"] = (status?.Phase ?? WorkerPhase.Created).ToString(),
            ["assignedPartitions"] = partitions.Count,
            ["recordsConsumed"] = status?.RecordsConsumed ?? 0,
            ["commits"] = status?.Commits ?? 0,
            ["pausedPartitions"] = paused,
            ["threads"] = (status?.Threads ?? []).Select(t => new { name = t.Name, state = t.State.ToString(), partitions = t.Partitions }).ToList(),
        };
        return status switch
        {
            null when !readiness => HealthCheckResult.Healthy(WaitingForCluster, data),
            null => HealthCheckResult.Unhealthy(WaitingForCluster, data: data),
            { Phase: WorkerPhase.Failed } => HealthCheckResult.Unhealthy("worker failed", data: data),
            _ when !readiness => HealthCheckResult.Healthy("alive", data),
            { HeldBy: { } held } => HealthCheckResult.Unhealthy("processing held: " + held, data: data),
            _ when paused > 0 => HealthCheckResult.Unhealthy(PausedDescription(paused, status.PauseReasons), data: data),
            { Phase: WorkerPhase.Restoring } => HealthCheckResult.Unhealthy("restoring state from changelogs", data: data),
            { IsReady: false } => HealthCheckResult.Unhealthy($"not consuming yet ({status.Phase})", data: data),
            _ => HealthCheckResult.Healthy("consuming", data),
        };
    }

    /// <summary>
    /// The reasons named in full, at most <see cref="ReasonsNamed"/>: a registry restored without its schemas gives a
    /// reason per unknown id, and a description naming them all grew by a sentence per id (each change is logged, and
    /// the pages show it).
    /// </summary>
    private static string PausedDescription(int paused, IReadOnlyList<string> reasons) => reasons.Count switch
    {
        0 => $"{paused} partitions paused (a dependency is down; each retries its record)",
        <= ReasonsNamed => $"{paused} partitions paused, waiting to retry: {string.Join("; ", reasons)}",
        _ => $"{paused} partitions paused, waiting to retry: {string.Join("; ", reasons.Take(ReasonsNamed))}; and {reasons.Count - ReasonsNamed} other reasons",
    };

    private const int ReasonsNamed = 3;
}

/// <summary>Ready only while Redis answers: contexts cannot be materialized without it.</summary>
internal sealed class RedisHealthCheck(RedisConnectionService redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (redis.Connection is not { IsConnected: true } connection)
        {
            return HealthCheckResult.Unhealthy($"not connected ({redis.FailureReason ?? "connecting"})");
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
