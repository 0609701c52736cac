using System.Text.RegularExpressions;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Architecture;

/// <summary>
/// Every Kafka client the product builds says where its own log lines go (<c>KafkaClientLog</c>): one without a
/// handler writes them raw to stderr, a thousand <c>%3|…|FAIL|</c> lines in half a minute without a broker.
/// </summary>
public sealed partial class KafkaClientLogTests
{
    [Fact]
    public void Every_Kafka_client_built_in_src_sets_a_log_handler()
    {
        var builders = Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => Builder().Matches(File.ReadAllText(path)).Select(m => (File: Path.GetRelativePath(RepositoryLayout.Root, path), Statement: m.Value)))
            .ToList();

        Assert.True(builders.Count >= 20, $"{builders.Count} client builders found: the pattern no longer finds them");
        Assert.All(builders, b => Assert.True(b.Statement.Contains(".SetLogHandler(", StringComparison.Ordinal), $"{b.File}: {b.Statement}"));
    }

    /// <summary>From a client builder's <c>new</c> to the <c>.Build()</c> that ends its statement.</summary>
    [GeneratedRegex(@"new (?:ConsumerBuilder|ProducerBuilder|AdminClientBuilder)\b.*?\.Build\(\)", RegexOptions.Singleline)]
    private static partial Regex Builder();
}
