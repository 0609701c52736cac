using BenchmarkDotNet.Running;
using Customer360.Streaming.Benchmarks;

// The end-to-end drain and the latency run are one long measurement each, not BenchmarkDotNet cases.
if (EndToEnd.Requested(args))
{
    return await EndToEnd.RunAsync(args);
}

if (Latency.Requested(args))
{
    return await Latency.RunAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(AvroSerdeBenchmarks).Assembly).Run(args);
return 0;
