namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Creates the worker's gauges (<see cref="ProcessorMetrics"/>) when the host starts. Not earlier: resolving them while
/// the host is built would validate options there, and a bad option would surface as a failure to build a gauge
/// instead of the startup error that names the key.
/// </summary>
internal sealed class ProcessorGaugesService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<ProcessorMetrics>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
