using System.Text.Json;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>The .NET runtime settings c360 ships with, which its measured latency depends on.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void C360_RunsWithTheServerGarbageCollector()
    {
        var runtimeConfig = Path.ChangeExtension(RepositoryLayout.C360Dll, ".runtimeconfig.json");
        using var settings = JsonDocument.Parse(File.ReadAllText(runtimeConfig));

        var properties = settings.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        // Workstation GC paused the demo six times as often for four times as long in all, and its pauses fell
        // inside commits: the latency figures in the README were measured with server GC.
        Assert.True(
            properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean(),
            $"{runtimeConfig} does not turn on server GC (<ServerGarbageCollection> in the host's project)");
    }
}
