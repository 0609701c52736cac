using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Testing.Streams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>
/// A worker that keeps its stores in RocksDB binds RocksDB's native library while it joins the group, so the first
/// assignment does not wait for it on the stream thread.
/// </summary>
public sealed class RocksDbNativeLibraryTests
{
    [Fact]
    public async Task A_worker_with_RocksDB_stores_binds_the_native_library_when_it_is_created_before_it_runs()
    {
        var topology = CountingProcessor.Topology("app", "in", "out");
        var streams = new StreamsOptions { StateStore = StateStoreKind.RocksDb };

        _ = new StreamWorker(new KafkaOptions { BootstrapServers = "127.0.0.1:9" }, streams, topology, TimeProvider.System, NullLogger<StreamWorker>.Instance, "worker");

        var loading = RocksDbNativeLibrary.Loading;
        Assert.NotNull(loading);
        Assert.True(await loading.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken), "RocksDB's native library did not bind");
    }
}
