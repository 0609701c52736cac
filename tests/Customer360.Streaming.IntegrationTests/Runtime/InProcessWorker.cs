using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.IntegrationTests.Runtime;

/// <summary>A stream worker on its own thread inside the test, stopped (with a final commit) on dispose.</summary>
internal sealed class InProcessWorker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public InProcessWorker(
        KafkaOptions kafka, StreamsOptions streams, StreamTopology topology, StreamsMetrics? metrics = null, IReadOnlyList<ICommitObserver>? observers = null,
        Func<IRecordDeleter>? recordDeleter = null, ILogger<StreamWorker>? logger = null)
    {
        Worker = new StreamWorker(
            kafka, streams, topology, TimeProvider.System, logger ?? NullLogger<StreamWorker>.Instance, $"{topology.ApplicationId}-worker", metrics, observers,
            recordDeleter: recordDeleter);
        _running = Worker.RunAsync(_stop.Token);
    }

    public StreamWorker Worker { get; }

    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || _running.IsCompleted)
            {
                return condition();
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception) when (Worker.Status.Phase == WorkerPhase.Failed)
        {
            // A test that expects the worker to fail has asserted on its status already.
        }

        _stop.Dispose();
    }
}
