using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Schemas.Registry;
using Xunit;

namespace Customer360.Streaming.Testing;

/// <summary>The embedded Schema Registry over real HTTP on a free loopback port, for a test assembly.</summary>
public sealed class SchemaRegistryFixture : IAsyncLifetime
{
    private EmbeddedSchemaRegistry? _registry;

    public Uri Url => _registry?.Url ?? throw new InvalidOperationException("Registry not started.");

    public string UrlText => Url.ToString().TrimEnd('/');

    public SchemaRegistryClient CreateClient() => new(new SchemaRegistryOptions { Url = UrlText, RetryBackoffMs = 10 });

    public async ValueTask InitializeAsync() => _registry = await EmbeddedSchemaRegistry.StartAsync(port: 0);

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
