using System.Globalization;
using System.Net;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Hosting;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> of <c>c360 run</c> as an orchestrator probes them while the processor
/// starts: a liveness probe that fails while the stream threads join restarts the process, and the next start joins again.
/// </summary>
public sealed class HealthProcessTests(KafkaFixture kafka, RedisServerFixture redis, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task While_the_stream_threads_join_the_processor_is_live_but_not_ready()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(While_the_stream_threads_join_the_processor_is_live_but_not_ready));
        var applicationId = names.Group("app");
        var (topologyDirectory, _) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);
        var port = FreePort.Next();
        using var processor = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = applicationId,
            // Two members of one group: the embedded broker waits out a session before it lets the second in, so the
            // join lasts seconds, as a rebalance does on a real cluster.
            ["C360__Streams__Threads"] = "2",
            ["C360__Kafka__Properties__session.timeout.ms"] = "6000",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__SchemaRegistry__Url"] = registry.UrlText,
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = topologyDirectory,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var notReady = new List<(HttpStatusCode Live, string Ready)>();
        var ready = false;
        for (var attempt = 0; attempt < 1_200 && !ready && !processor.HasExited; attempt++)
        {
            try
            {
                using var readiness = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
                ready = readiness.StatusCode == HttpStatusCode.OK;
                if (!ready)
                {
                    using var liveness = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
                    notReady.Add((liveness.StatusCode, await readiness.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(ready, "never ready: " + processor.AllOutput);
        Assert.Contains(notReady, sample => sample.Ready.Contains("not consuming yet (Joining)", StringComparison.Ordinal));
        Assert.All(notReady, sample => Assert.True(sample.Live == HttpStatusCode.OK, $"/health/live answered {(int)sample.Live} while /health/ready said {sample.Ready}"));
    }
}
