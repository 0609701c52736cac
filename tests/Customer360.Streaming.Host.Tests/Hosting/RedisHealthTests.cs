using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Redis;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>An unreachable Redis is logged as an error and readiness says why (issue 13: it logged only "connected now: False").</summary>
public sealed class RedisHealthTests
{
    [Fact]
    public async Task An_unreachable_redis_is_logged_as_an_error_and_readiness_names_the_failure()
    {
        var logger = new RecordingLogger<RedisConnectionService>();
        var options = Options.Create(new RedisOptions { ConnectionString = $"127.0.0.1:{FreePort.Next()}", ConnectTimeoutMs = 500 });
        await using var redis = new RedisConnectionService(options, logger);

        await redis.StartAsync(TestContext.Current.CancellationToken);
        var readiness = await new RedisHealthCheck(redis).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, readiness.Status);
        Assert.NotNull(redis.FailureReason);
        Assert.Equal($"not connected ({redis.FailureReason})", readiness.Description);
        Assert.DoesNotContain("connecting", readiness.Description, StringComparison.Ordinal);
        // The multiplexer keeps retrying in the background, so a later attempt may log a second reason.
        Assert.Contains(logger.Recorded.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("Redis is unavailable (", StringComparison.Ordinal));
    }
}
