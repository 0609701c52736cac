using Customer360.Streaming.Pipeline;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Hosting;

/// <summary>Checks the rule file every <see cref="TriggerOptions.ReloadIntervalSeconds"/> and swaps valid changes in.</summary>
internal sealed class RuleReloadService(RuleFileReloader? reloader, IOptions<TriggerOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (reloader is null || options.Value.ReloadIntervalSeconds == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ReloadIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                reloader.CheckOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
