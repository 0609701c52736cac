using BenchmarkDotNet.Running;
using Customer360.Streaming.Benchmarks;

// The end-to-end drain is one long measurement per thread count, not a BenchmarkDotNet case (see EndToEnd).
if (EndToEnd.Requested(args))
{
    return await EndToEnd.RunAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(AvroSerdeBenchmarks).Assembly).Run(args);
return 0;
