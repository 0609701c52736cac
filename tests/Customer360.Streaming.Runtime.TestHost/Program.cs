using System.Runtime.InteropServices;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging;

// Usage: TestHost <bootstrap> <application-id> <input> <output> <dead-letters> <AtLeastOnce|ExactlyOnceV2>
// Prints "ready" once the worker owns a restored assignment, "stopped" after a clean SIGTERM shutdown.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: TestHost <bootstrap> <application-id> <input> <output> <dead-letters> <guarantee>");
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
var streams = new StreamsOptions { ProcessingGuarantee = Enum.Parse<ProcessingGuarantee>(args[5]), InstanceId = $"testhost-{Environment.ProcessId}" };
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var worker = new StreamWorker(kafka, streams, CountingProcessor.Topology(args[1], args[2], args[3], args[4]), TimeProvider.System,
    loggers.CreateLogger<StreamWorker>(), $"{args[1]}-{Environment.ProcessId}");
using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
var running = worker.RunAsync(stop.Token);
while (!worker.Status.IsReady && !running.IsCompleted)
{
    await Task.Delay(20);
}

Console.WriteLine("ready");
await running;
Console.WriteLine("stopped");
return 0;
