using System.Text.Json;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>The .NET runtime settings c360 ships with, on which its measured latency and drain rate depend.</summary>
public sealed class RuntimeSettingsTests
{
    private static readonly string RuntimeConfig = Path.ChangeExtension(RepositoryLayout.C360Dll, ".runtimeconfig.json");

    [Fact]
    public void C360_RunsWithTheServerGarbageCollector()
    {
        var properties = ConfigProperties();

        // Workstation GC paused the demo six times as often for four times as long in all, and its pauses fell
        // inside commits: the latency figures in the README were measured with server GC.
        Assert.True(
            properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean(),
            $"{RuntimeConfig} does not turn on server GC (<ServerGarbageCollection> in the host's project)");
    }

    [Fact]
    public void C360_RunsWithoutDynamicProfileGuidedOptimization()
    {
        var properties = ConfigProperties();

        // With it, the JIT's background thread took 30 % of the process's CPU while c360 drained the end-to-end
        // benchmark's backlog, and the drain was slower; warmed up, the pipeline cost the same per event either way.
        Assert.True(
            properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo) && !pgo.GetBoolean(),
            $"{RuntimeConfig} does not turn off dynamic PGO (<TieredPGO> in the host's project)");
    }

    [Fact]
    public void C360_CountsCallsForTheOptimizingJitFromTheStart()
    {
        var properties = ConfigProperties();

        // By default the runtime counts calls only after 100 ms without a new method compiled, which a processor
        // starting on a backlog keeps putting off, so its hot path runs unoptimized code the longer.
        Assert.True(
            properties.TryGetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs", out var delay) && delay.GetInt32() == 0,
            $"{RuntimeConfig} does not set the call-counting delay to 0 (a RuntimeHostConfigurationOption in the host's project)");
    }

    [Fact]
    public void C360_CapsTheGen0BudgetAt16MiB()
    {
        var properties = ConfigProperties();

        // DATAS let gen 0 grow to about 170 MB while a drain held its contexts and decommitted it after each collection:
        // zeroing the fresh pages took up to a quarter of the processor's CPU. The runtime reads System.GC.Gen0MaxBudget
        // (GC.GetConfigurationVariables shows it as GCGen0MaxBudget); the bare name is ignored in runtimeconfig.json.
        Assert.True(
            properties.TryGetProperty("System.GC.Gen0MaxBudget", out var budget) && budget.GetInt64() == 16L * 1024 * 1024,
            $"{RuntimeConfig} does not cap the gen-0 budget at 16 MiB (a RuntimeHostConfigurationOption in the host's project)");
    }

    private static JsonElement ConfigProperties()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(RuntimeConfig));
        return settings.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
