using System.Net;
using System.Net.Sockets;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Schemas.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Tests.Web;

/// <summary>The pages' feed of decisions and assists, stopped while it still waits for a broker.</summary>
public sealed class LiveFeedStopTests
{
    [Fact]
    public async Task A_stop_does_not_wait_for_a_start_that_waits_on_a_broker_which_never_answers()
    {
        // `c360 run` against an address where nothing answered printed "Startup failed: … no Kafka broker answered" and
        // then took 10 s more to exit: the host's stop waited for the feed's metadata read to time out.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var kafka = new KafkaOptions { BootstrapServers = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}" };
        using var registry = new SchemaRegistryClient(new SchemaRegistryOptions { Url = "http://127.0.0.1:9" });
        using var feed = new LiveFeed(Options.Create(kafka), ProductTopicNames.Default, registry, TimeProvider.System, NullLogger<LiveFeed>.Instance);

        await feed.StartAsync(TestContext.Current.CancellationToken);
        // The feed's client connected and asked; the broker never answers, so the read waits out its timeout.
        using var connection = await silent.AcceptSocketAsync(TestContext.Current.CancellationToken);
        var clientGaveUp = ClosedAsync(connection);
        var stop = feed.StopAsync(TestContext.Current.CancellationToken);

        Assert.Same(stop, await Task.WhenAny(stop, clientGaveUp));
        Assert.True(feed.ExecuteTask!.IsCompleted, "the feed still runs after its stop");
        Assert.False(feed.Following);
    }

    /// <summary>Reads what the client sends until it closes the connection.</summary>
    private static async Task ClosedAsync(Socket connection)
    {
        var buffer = new byte[4096];
        while (await connection.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken) > 0)
        {
            // Its requests go unanswered.
        }
    }
}
