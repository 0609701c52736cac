using Customer360.Streaming.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Owns the process's one Redis connection; connecting never blocks startup on a Redis outage.</summary>
internal sealed class RedisConnectionService : IHostedService, IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger<RedisConnectionService> _logger;

    /// <summary>
    /// The multiplexer keeps two connections (commands and subscriptions) and reports each one's failure and return on
    /// its own threads: the reason changes under this lock, and only a change is logged.
    /// </summary>
    private readonly Lock _reasonLock = new();

    public RedisConnectionService(IOptions<RedisOptions> options, ILogger<RedisConnectionService> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public ConnectionMultiplexer? Connection { get; private set; }

    /// <summary>Why the connection is down (a failure kind such as AuthenticationFailure, never the server's text), or null while it is up.</summary>
    public string? FailureReason { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = await RedisConnector.ConnectAsync(_options);
        connection.ConnectionFailed += (_, e) => Failed(e.FailureType.ToString());
        connection.ConnectionRestored += (_, _) => Restored();
        Connection = connection;
        if (connection.IsConnected)
        {
            Log.RedisConnected(_logger);
            return;
        }

        // The multiplexer keeps retrying in the background; a ping says why the first attempt failed.
        try
        {
            await connection.GetDatabase().PingAsync();
        }
        catch (RedisConnectionException ex)
        {
            Failed((RedisOutage.ConnectionFailure(ex) ?? ex.FailureType).ToString());
        }
        catch (RedisTimeoutException)
        {
            Failed("Timeout");
        }
    }

    private void Failed(string reason)
    {
        lock (_reasonLock)
        {
            if (FailureReason == reason)
            {
                return;
            }

            FailureReason = reason;
        }

        Log.RedisUnavailable(_logger, reason);
    }

    private void Restored()
    {
        lock (_reasonLock)
        {
            if (FailureReason is null)
            {
                return;
            }

            FailureReason = null;
        }

        Log.RedisConnectionRestored(_logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
    }
}
