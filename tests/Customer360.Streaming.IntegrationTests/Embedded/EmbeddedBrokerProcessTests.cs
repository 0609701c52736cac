using System.Text.RegularExpressions;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.IntegrationTests.Embedded;

/// <summary>
/// <c>c360 broker</c> in its own process, reached by kcat (its own librdkafka build, written by others): proves the
/// embedded broker speaks real Kafka protocol on loopback to clients we did not write.
/// </summary>
public sealed partial class EmbeddedBrokerProcessTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BrokerProcess_KcatListsEveryDeclaredTopicAndRoundTripsAMessage_ThenStopsCleanlyOnSigterm()
    {
        var kcat = ExternalTools.Find("kcat") ?? ExternalTools.Find("kafkacat");
        if (kcat is null)
        {
            Assert.Skip(ExternalTools.InstallHint("kcat"));
        }

        using var broker = C360Program.Start(["broker", "--brokers", "3", "--topology-dir", RepositoryLayout.TopologyDirectory]);
        var ready = await broker.WaitForLineAsync(l => l.StartsWith("ready:", StringComparison.Ordinal), Startup);
        Assert.True(ready is not null, "c360 broker did not report ready: " + broker.AllOutput);
        Assert.StartsWith("bootstrap.servers=127.0.0.1:", broker.StandardOutput[0], StringComparison.Ordinal);
        var bootstrap = broker.StandardOutput[0]["bootstrap.servers=".Length..];
        Assert.Equal(3, bootstrap.Split(',').Length);

        var listing = await ChildProcess.RunAsync(kcat, ["-b", bootstrap, "-L"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, listing.ExitCode);
        var listed = TopicLine().Matches(string.Join('\n', listing.StandardOutput))
            .ToDictionary(m => m.Groups["name"].Value, m => int.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var declared in TopicCatalog.Load(RepositoryLayout.TopicsFile).Topics)
        {
            Assert.True(listed.TryGetValue(declared.Name, out var count), $"kcat -L does not list {declared.Name}");
            Assert.Equal(declared.Partitions, count);
        }

        const string topic = "c360.clickstream.v1";
        var produce = await ChildProcess.RunAsync(kcat, ["-b", bootstrap, "-P", "-t", topic, "-K", "|"], TimeSpan.FromSeconds(30), "web:kcat-1|hello from kcat\n");
        Assert.Equal(0, produce.ExitCode);
        var consume = await ChildProcess.RunAsync(kcat, ["-b", bootstrap, "-C", "-t", topic, "-c", "1", "-e", "-f", "%k|%s\n"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, consume.ExitCode);
        Assert.Contains("web:kcat-1|hello from kcat", consume.StandardOutput);

        broker.Terminate();
        Assert.True(await broker.WaitForExitAsync(TimeSpan.FromSeconds(20)), "c360 broker did not stop on SIGTERM");
        Assert.Equal(0, broker.ExitCode);
    }

    [GeneratedRegex("topic \"(?<name>[^\"]+)\" with (?<count>\\d+) partitions")]
    private static partial Regex TopicLine();
}
