using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// A malformed Kafka or Schema Registry address given to a verb is named, with exit code 2, before any client is
/// built: `c360 simulate --registry-url "not a url"` ended in an unhandled UriFormatException.
/// </summary>
[Collection(nameof(ConsoleRedirection))]
public sealed class VerbAddressTests
{
    [Theory]
    [InlineData("simulate --bootstrap-servers 127.0.0.1:1 --registry-url not-a-url --duration 1", "--registry-url (or C360__SchemaRegistry__Url) must be one or more comma-separated http(s):// URLs (was 'not-a-url').")]
    [InlineData("simulate --bootstrap-servers nonsense --registry-url http://127.0.0.1:1 --duration 1", "--bootstrap-servers (or C360__Kafka__BootstrapServers) must be a host:port list: 'nonsense' is not host:port.")]
    [InlineData("rules test --rules {rules} --events c360.beacon.v1 --bootstrap-servers 127.0.0.1:1 --registry-url registry:8081", "--registry-url (or C360__SchemaRegistry__Url) must be one or more comma-separated http(s):// URLs (was 'registry:8081').")]
    [InlineData("lag --group g --bootstrap-servers broker", "--bootstrap-servers (or C360__Kafka__BootstrapServers) must be a host:port list: 'broker' is not host:port.")]
    [InlineData("context rebuild --bootstrap-servers broker: --redis 127.0.0.1:1", "--bootstrap-servers (or C360__Kafka__BootstrapServers) must be a host:port list: 'broker:' is not host:port.")]
    public async Task A_malformed_address_is_named_with_exit_code_2_before_anything_connects(string commandLine, string expected)
    {
        var rules = Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml");
        var args = commandLine.Replace("{rules}", rules, StringComparison.Ordinal).Split(' ');

        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(args, TestContext.Current.CancellationToken);

        Assert.Equal((2, expected), (exitCode, errors.Trim()));
    }
}
