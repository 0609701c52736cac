using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// One admin client on a stream thread's consumer connection, built on first use and shared: the key placement's
/// partition counts and the watermark sightings' queries each built their own.
/// </summary>
internal sealed class ConsumerAdmin(Handle consumerHandle) : IDisposable
{
    private IAdminClient? _client;

    public IAdminClient Client => _client ??= new DependentAdminClientBuilder(consumerHandle).Build();

    public void Dispose() => _client?.Dispose();
}
