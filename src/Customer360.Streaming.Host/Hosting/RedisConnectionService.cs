using Customer360.Streaming.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Owns the process's one Redis connection; connecting never blocks startup on a Redis outage.</summary>
internal sealed class RedisConnectionService : IHostedService, IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger<RedisConnectionService> _logger;

    private readonly RedisOutageTracker _outage = new();

    /// <summary>The evicting policy last named in the log, so each reconnection to the same Redis does not repeat it.</summary>
    private string? _namedEvictionPolicy;

    public RedisConnectionService(IOptions<RedisOptions> options, ILogger<RedisConnectionService> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public ConnectionMultiplexer? Connection { get; private set; }

    /// <summary>Why the connection is down (a failure kind such as AuthenticationFailure, never the server's text), or null while it is up.</summary>
    public string? FailureReason => _outage.FailureReason;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = await RedisConnector.ConnectAsync(_options);
        connection.ConnectionFailed += (_, e) => Observe(connection.IsConnected, e.FailureType.ToString());
        connection.ConnectionRestored += (_, _) =>
        {
            Observe(connection.IsConnected, failure: null);
            _ = NameEvictionPolicyAsync(connection);
        };
        Connection = connection;
        if (connection.IsConnected)
        {
            Log.RedisConnected(_logger);
            await NameEvictionPolicyAsync(connection);
            return;
        }

        // The multiplexer keeps retrying in the background; a ping says why the first attempt failed.
        try
        {
            await connection.GetDatabase().PingAsync();
        }
        catch (RedisConnectionException ex)
        {
            Observe(connection.IsConnected, (RedisOutage.ConnectionFailure(ex) ?? ex.FailureType).ToString());
        }
        catch (RedisTimeoutException)
        {
            Observe(connection.IsConnected, "Timeout");
        }
    }

    /// <summary>
    /// Warns when Redis may evict any key (see <see cref="RedisEvictionPolicy"/>): at the start and after each
    /// reconnection, as a Redis restarted or failed over may run with another policy. Never throws.
    /// </summary>
    private async Task NameEvictionPolicyAsync(ConnectionMultiplexer connection)
    {
        var policy = await RedisEvictionPolicy.EvictingAnyKeyAsync(connection.GetDatabase());
        if (Interlocked.Exchange(ref _namedEvictionPolicy, policy) != policy && policy is not null)
        {
            Log.RedisEvictsAnyKey(_logger, policy);
        }
    }

    private void Observe(bool canSendCommands, string? failure)
    {
        switch (_outage.Observe(canSendCommands, failure))
        {
            case RedisOutageChange.Began:
                Log.RedisUnavailable(_logger, failure!);
                break;
            case RedisOutageChange.Ended:
                Log.RedisConnectionRestored(_logger);
                break;
        }
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
