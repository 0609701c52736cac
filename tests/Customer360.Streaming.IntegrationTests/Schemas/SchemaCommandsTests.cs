using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Schemas;

/// <summary><c>c360 registry</c> and <c>c360 schemas register|check</c> as separate processes, as CI/CD runs them.</summary>
public sealed class SchemaCommandsTests
{
    [Fact]
    public async Task SchemasRegisterThenCheck_AgainstRegistryProcess_RegistersEveryContractAndFlagsAnIncompatibleChange()
    {
        using var registry = C360Program.Start(["registry", "--port", "0"]);
        var urlLine = await registry.WaitForLineAsync(l => l.StartsWith("schema.registry.url=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.True(urlLine is not null, "registry did not start: " + registry.AllOutput);
        var url = urlLine["schema.registry.url=".Length..];

        using var register = C360Program.Start(["schemas", "register", "--registry-url", url, "--topology-dir", RepositoryLayout.TopologyDirectory, "--schemas-dir", Path.Combine(RepositoryLayout.Root, "schemas")]);
        Assert.True(await register.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(register.ExitCode == 0, register.AllOutput);
        // Every version of every contract a topic names, oldest first.
        var contracts = Contracts.SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
        var topicsWithContracts = Contracts.TopicCatalog.Load(RepositoryLayout.TopicsFile).Topics
            .Where(t => t.ValueSchema is not null).ToList();
        var versions = topicsWithContracts.Sum(t => contracts.Versions(t.ValueSchema!).Count);
        // 14 versions on the identifier-keyed and other topics, and one each on the four customer-keyed channel topics.
        Assert.Equal(18, versions);
        Assert.Equal(versions, register.StandardOutput.Count(l => l.StartsWith("registered ", StringComparison.Ordinal)));

        var changed = TestScratch.Run.NewDirectory("c360-schemas-");
        CopyDirectory(Path.Combine(RepositoryLayout.Root, "schemas"), changed);
        var clickstream = Path.Combine(changed, "clickstream-event", "v1.avsc");
        // Turning a string into an int breaks every reader of existing data.
        File.WriteAllText(clickstream, File.ReadAllText(clickstream).Replace("\"name\": \"sessionId\",\n      \"type\": \"string\"", "\"name\": \"sessionId\",\n      \"type\": \"int\"", StringComparison.Ordinal));
        Assert.Contains("\"type\": \"int\"", File.ReadAllText(clickstream), StringComparison.Ordinal);

        using var check = C360Program.Start(["schemas", "check", "--registry-url", url, "--topology-dir", RepositoryLayout.TopologyDirectory, "--schemas-dir", changed]);
        Assert.True(await check.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(1, check.ExitCode);
        // Both topics of the clickstream contract, keyed by identifier and by customer, are flagged.
        Assert.Contains(check.StandardOutput, l => l.StartsWith("INCOMPATIBLE c360.clickstream.v1-value", StringComparison.Ordinal));
        Assert.Contains(check.StandardOutput, l => l.StartsWith("INCOMPATIBLE c360.clickstream.by-customer.v1-value", StringComparison.Ordinal));
        // The latest version of every other topic's contract is checked and compatible.
        Assert.Equal(topicsWithContracts.Count - 2, check.StandardOutput.Count(l => l.StartsWith("compatible", StringComparison.Ordinal)));
        registry.Terminate();
        Assert.True(await registry.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, registry.ExitCode);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
