using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Customer360.Streaming.Benchmarks.AvroSerdeBenchmarks).Assembly).Run(args);
