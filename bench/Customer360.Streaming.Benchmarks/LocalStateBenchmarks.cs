using System.Diagnostics;
using Avro.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Identity;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Simulation;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Stores;
using Customer360.Streaming.Runtime.Testing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// One RocksDB context store holding 1,000,000 customers (the simulator's contexts, each under its own id): bytes on
/// disk per customer and the process's resident memory after writing them (printed by the setup), the time to reopen
/// the store and read from it (a restart with a checkpoint), and the time to restore the same million changelog values
/// into an empty store (a restart without one; the broker's fetch time is not included).
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 1, warmupCount: 0, iterationCount: 3)]
[MemoryDiagnoser]
public class LocalStateBenchmarks
{
    public const int Contexts = 1_000_000;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"c360-bench-state-{Environment.ProcessId}");

    /// <summary>The changelog values as the store wrote them, on disk so they do not count in the process's memory.</summary>
    private string ChangelogFile => Path.Combine(_folder, "changelog.bin");

    [GlobalSetup]
    public void Setup()
    {
        var templates = SimulatedContexts();
        var baseline = ResidentMiB();
        var started = Stopwatch.StartNew();
        var origin = new RecordOrigin("c360.relationship.v1", 0, 0);
        Directory.CreateDirectory(_folder);
        using (var changelog = new BinaryWriter(File.Create(ChangelogFile)))
        using (var store = new RocksDbKeyValueStore(ProductTopics.ContextsStore, Path.Combine(_folder, "full"), () => origin))
        {
            void Flush()
            {
                foreach (var (key, value, _) in store.TakeChanges())
                {
                    changelog.Write(key);
                    changelog.Write(value!.Length);
                    changelog.Write(value);
                }

                store.ChangesDurable();
            }

            for (var i = 0; i < Contexts; i++)
            {
                var template = templates[i % templates.Count];
                origin = origin with { Offset = i };
                store.PutDecoded($"c-{i}", template with { ContextId = $"c-{i}" }, ContextStateSerde.Instance);
                if (i % 10_000 == 9_999)
                {
                    Flush();
                }
            }

            Flush();
            store.Sync();
            var bytes = new DirectoryInfo(Path.Combine(_folder, "full")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            Console.WriteLine($"// local state: {Contexts:N0} contexts written in {started.Elapsed.TotalSeconds:0.0} s; {bytes / (double)Contexts:0} bytes on disk per customer ({bytes / 1_048_576.0:0} MiB); " +
                $"process RSS {ResidentMiB():0} MiB with the store open, {baseline:0} MiB before it was written");
        }
    }

    /// <summary>Resident memory after a full garbage collection, in MiB.</summary>
    private static double ResidentMiB()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1_048_576.0;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>A restart with a checkpoint: open the store of a million contexts and read one.</summary>
    [Benchmark]
    public CustomerContext? ReopenAndRead()
    {
        using var store = new RocksDbKeyValueStore(ProductTopics.ContextsStore, Path.Combine(_folder, "full"), () => null);
        return store.GetDecoded("c-123456", ContextStateSerde.Instance);
    }

    /// <summary>A restart without one: the million changelog values (read from a local file) restored into an empty store.</summary>
    [Benchmark]
    public int RestoreAll()
    {
        var path = Path.Combine(_folder, $"restore-{Guid.NewGuid():N}");
        var restored = 0;
        using (var changelog = new BinaryReader(File.OpenRead(ChangelogFile)))
        using (var store = new RocksDbKeyValueStore(ProductTopics.ContextsStore, path, () => null))
        {
            while (changelog.BaseStream.Position < changelog.BaseStream.Length)
            {
                var key = changelog.ReadString();
                store.Restore(key, changelog.ReadBytes(changelog.ReadInt32()), tombstone: false);
                restored++;
            }

            store.RestoreCompleted();
        }

        Directory.Delete(path, recursive: true);
        return restored;
    }

    /// <summary>The contexts of 1,000 simulated customers after 22,500 journey events, as templates.</summary>
    private static List<CustomerContext> SimulatedContexts()
    {
        var topics = TopicCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, "topics.yaml"));
        var contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var stores = StoreCatalog.Load(Path.Combine(RepositoryLayout.TopologyDirectory, StoreCatalog.FileName));
        var registry = new InProcessSchemaRegistry();
        var settings = new ContextPipelineSetup(new ContextSettings(), new IdentitySettings(), stores, new EventCodec(registry, new AvroSerdeOptions(), contracts, topics), ProductTopicNames.Default);
        var driver = new TopologyTestDriver(ProductTopology.Build("c360", topics, settings, new PipelineMetrics(), NullLoggerFactory.Instance), 6);
        var writer = new ChannelEventWriter(contracts);
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var population = new Population(1_000, seed: 11, stores, 1_790_000_000_000, eventsPerSecond: 150);
        foreach (var r in population.Setup().Concat(population.Events(22_500)))
        {
            driver.PipeInput(r.Topic, r.Key, serializer.SerializeAsync(writer.Write(r.Event, r.Identifier), r.Topic).GetAwaiter().GetResult(), r.Event.EventTimeMs);
        }

        return [.. Enumerable.Range(0, 6).SelectMany(p => driver.StoreContents(ProductTopics.ContextsStore, p))
            .Where(e => e.Key[0] != '\0').Select(e => ContextStateSerde.Instance.Decode(e.Value))];
    }
}
