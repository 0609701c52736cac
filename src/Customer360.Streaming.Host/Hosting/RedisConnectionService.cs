using Customer360.Streaming.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Owns the process's one Redis connection; connecting never blocks startup on a Redis outage.</summary>
internal sealed class RedisConnectionService : IHostedService, IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger<RedisConnectionService> _logger;

    public RedisConnectionService(IOptions<RedisOptions> options, ILogger<RedisConnectionService> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public ConnectionMultiplexer? Connection { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Connection = await RedisConnector.ConnectAsync(_options);
        Log.RedisConnecting(_logger, Connection.IsConnected);
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
