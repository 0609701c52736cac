using System.Runtime.InteropServices;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging;

// Usage: TestHost <bootstrap> <application-id> <input> <output> <dead-letters> <AtLeastOnce|ExactlyOnceV2> [threads]
// Prints "ready" once every stream thread owns a restored assignment, "rebalance <kind>" on each assignment, revocation
// or loss, and "stopped" after a clean SIGTERM shutdown.
if (args.Length is not (6 or 7))
{
    Console.Error.WriteLine("usage: TestHost <bootstrap> <application-id> <input> <output> <dead-letters> <guarantee> [threads]");
    return 2;
}

var kafka = new KafkaOptions
{
    BootstrapServers = args[0],
    ApplicationId = args[1],
    FetchWaitMaxMs = 10,
    CommitIntervalMs = 100,
    Properties = new()
    {
        // A killed member must leave the group quickly, or every restart waits for its session to expire.
        ["session.timeout.ms"] = "3000",
        ["heartbeat.interval.ms"] = "500",
    },
};
var streams = new StreamsOptions
{
    ProcessingGuarantee = Enum.Parse<ProcessingGuarantee>(args[5]),
    InstanceId = $"testhost-{Environment.ProcessId}",
    Threads = args.Length == 7 ? int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : 1,
};
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var metrics = new StreamsMetrics();
// Each assignment, revocation or loss as a line, so a test can count the rebalances of every process it ran.
using var rebalances = new System.Diagnostics.Metrics.MeterListener
{
    InstrumentPublished = (instrument, listener) =>
    {
        if (instrument.Meter == metrics.Meter && instrument.Name == "c360.rebalances")
        {
            listener.EnableMeasurementEvents(instrument);
        }
    },
};
rebalances.SetMeasurementEventCallback<long>((_, _, tags, _) =>
{
    foreach (var tag in tags)
    {
        if (tag.Key == "kind")
        {
            Console.WriteLine($"rebalance {tag.Value}");
        }
    }
});
rebalances.Start();
var processor = new StreamProcessor(kafka, streams, CountingProcessor.Topology(args[1], args[2], args[3], args[4]), TimeProvider.System,
    loggers.CreateLogger<StreamWorker>(), $"{args[1]}-{Environment.ProcessId}", metrics);
using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
var running = processor.RunAsync(stop.Token);
while (!processor.Status.IsReady && !running.IsCompleted)
{
    await Task.Delay(20);
}

Console.WriteLine("ready");
await running;
Console.WriteLine("stopped");
return 0;
