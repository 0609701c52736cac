using System.Globalization;
using System.Net;
using System.Text.Json;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Events;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Hosting;

/// <summary><c>c360 run</c> as a separate process, the way a service manager runs it.</summary>
public sealed class ProcessorProcessTests(KafkaFixture kafka, RedisServerFixture redis, SchemaRegistryFixture registry)
{
    [Fact]
    public async Task Run_ReportsReadyConsumesAndCommits_ThenShutsDownCleanlyOnSigterm()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(Run_ReportsReadyConsumesAndCommits_ThenShutsDownCleanlyOnSigterm));
        var applicationId = names.Group("app");
        var (topologyDirectory, _) = await C360Program.CreatePrefixedTopicsAsync(kafka, names, applicationId);

        var port = FreePort.Next();
        using var processor = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["C360__Kafka__ApplicationId"] = applicationId,
            ["C360__Kafka__FetchWaitMaxMs"] = "10",
            // Two stream threads: two members of the group in one process. The embedded broker waits out a session
            // before it lets the second in, so the session is short.
            ["C360__Kafka__Properties__session.timeout.ms"] = "6000",
            ["C360__Streams__Threads"] = "2",
            ["C360__Streams__ProcessingGuarantee"] = "AtLeastOnce",
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__SchemaRegistry__Url"] = registry.UrlText,
            ["C360__Http__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["C360__Topology__Directory"] = topologyDirectory,
        });

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var (ready, notReady) = await C360Program.ProbeUntilReadyAsync(http, processor);
        Assert.True(ready, "never ready: " + processor.AllOutput);
        // Live but not ready while the two threads join (the join lasts a session): a liveness probe that failed then
        // would restart the process, and the next start would join again.
        Assert.Contains(notReady, sample => sample.Ready.Contains("not consuming yet (Joining)", StringComparison.Ordinal));
        Assert.All(notReady, sample => Assert.True(sample.Live == HttpStatusCode.OK, $"/health/live answered {(int)sample.Live} while /health/ready said {sample.Ready}"));
        // Readiness lists each thread with its state and partitions; together they own every source partition.
        var threads = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken))
            .RootElement.GetProperty("checks").GetProperty("processor").GetProperty("data").GetProperty("threads").EnumerateArray().ToList();
        Assert.Equal(["StreamThread-1", "StreamThread-2"], threads.Select(t => t.GetProperty("name").GetString()));
        Assert.All(threads, t => Assert.Equal("Running", t.GetProperty("state").GetString()));
        Assert.All(threads, t => Assert.NotEqual(0, t.GetProperty("partitions").GetArrayLength()));
        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        // Garbage on a channel topic is dead-lettered and committed; a relationship profile becomes a context.
        var input = names.Topic("c360.mobile.v1");
        var options = kafka.Options(applicationId);
        const int records = 40;
        var profile = new RelationshipProfile(
            Guid.NewGuid(), 1_790_000_000_000, names.Topic("c360.relationship.v1"), "cust-http", "GOLD", "loyal", 10m, 0.1, [], null,
            new Consent(Location: true), null, "Europe/Berlin", "de-DE");
        using var registryClient = registry.CreateClient();
        var profileBytes = await new AvroSerializer<GenericRecord>(registryClient).SerializeAsync(
            new ChannelEventWriter(SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"))).Write(profile), profile.SourceTopic, cancellationToken: TestContext.Current.CancellationToken);
        using (var producer = new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(options, "test-producer")).Build())
        {
            for (var i = 0; i < records; i++)
            {
                producer.Produce(input, new Message<string, byte[]> { Key = $"device:{i}", Value = "app_open"u8.ToArray() });
            }

            producer.Produce(profile.SourceTopic, new Message<string, byte[]> { Key = "cust-http", Value = profileBytes });
            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var committed = 0L;
        for (var attempt = 0; attempt < 150 && committed < records; attempt++)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            committed = ConsumerGroupLag.Read(options, applicationId, [input], TimeSpan.FromSeconds(10)).Sum(p => p.Committed ?? 0);
        }

        Assert.Equal(records, committed);

        string? served = null;
        for (var attempt = 0; attempt < 150 && served is null; attempt++)
        {
            using var response = await http.GetAsync(new Uri("/customers/cust-http/context", UriKind.Relative), TestContext.Current.CancellationToken);
            served = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) : null;
            await Task.Delay(served is null ? 200 : 0, TestContext.Current.CancellationToken);
        }

        Assert.NotNull(served);
        Assert.Equal("GOLD", JsonDocument.Parse(served).RootElement.GetProperty("relationship").GetProperty("tier").GetString());
        using (var missing = await http.GetAsync(new Uri("/customers/nobody/context", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // An id that would escape its Redis hash tag is refused, not looked up (issue 13: it read c360:{a}:b}:context).
        using (var escaping = await http.GetAsync(new Uri("/customers/a%7D%3Ab/context", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, escaping.StatusCode);
        }

        // Health endpoints answer reads only.
        foreach (var (method, path) in new[] { (HttpMethod.Put, "/health/ready"), (HttpMethod.Trace, "/health/live"), (HttpMethod.Post, "/health/live") })
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            using var refused = await http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
        }

        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/health/ready", UriKind.Relative)), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        using var read = await ChildProcess.RunAsync(
            "dotnet", [RepositoryLayout.C360Dll, "context", "get", "cust-http", "--redis", redis.ConnectionString], TimeSpan.FromSeconds(60));
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(served, read.StandardOutput.Single());

        // Prometheus text: per-partition lag series of the inputs, and the meters of the runtime and the pipeline.
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Matches($"c360_consumer_lag\\w*\\{{[^}}]*topic=\"{System.Text.RegularExpressions.Regex.Escape(input)}\"[^}}]*\\}} 0", metrics);
        Assert.Contains("c360_consumer_lag_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("c360_partitions_paused", metrics, StringComparison.Ordinal);
        Assert.Contains("c360_context_reductions", metrics, StringComparison.Ordinal);
        // The 40 garbage records as a Prometheus counter, by stage and error class, as the README documents it.
        Assert.Contains("# TYPE c360_dead_letters_total counter", metrics, StringComparison.Ordinal);
        Assert.Matches(@"c360_dead_letters_total\{[^}]*error_class=""[A-Za-z]+""[^}]*\} 40\b", metrics);
        // Freshness of Redis: a histogram with at least the one context this test wrote.
        Assert.Matches(@"c360_redis_event_to_context_latency\w*_count(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"c360_commit_duration\w*_count(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"c360_commit_step_duration\w*_count\{[^}]*step=""send_changelogs""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"c360_stream_thread_partitions\{[^}]*thread=""StreamThread-2""[^}]*\} [1-9]", metrics);

        // Readiness is logged when it changes, not per probe: ASP.NET's health check service wrote an error line for
        // every probe that found the threads joining. The change is looked at every 5 s, whoever probes.
        Assert.NotNull(await processor.WaitForLineAsync(l => l.EndsWith("Hosting.ReadinessLog[2030] Ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(processor.StandardOutput, l => l.Contains("DefaultHealthCheckService", StringComparison.Ordinal));

        processor.Terminate();
        Assert.True(await processor.WaitForExitAsync(TimeSpan.FromSeconds(30)), "did not stop on SIGTERM: " + processor.AllOutput);
        Assert.Equal(0, processor.ExitCode);
        Assert.Contains(processor.StandardOutput, l => l.Contains("stopped cleanly after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_MalformedBootstrapServers_ExitsWithCode2NamingTheKey()
    {
        using var processor = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = "no-port-here",
            ["C360__Redis__ConnectionString"] = "127.0.0.1:1",
            ["C360__SchemaRegistry__Url"] = "http://127.0.0.1:9",
            ["C360__Http__Port"] = "0",
        });

        Assert.True(await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit");
        Assert.Equal(2, processor.ExitCode);
        Assert.Contains(processor.StandardError, l => l.Contains("Kafka:BootstrapServers is invalid: 'no-port-here' is not host:port", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("demo")]
    public async Task Run_AppSettingsThatIsNotJson_ExitsWithCode2NamingTheFileAndWhere(string verb)
    {
        // An edit that broke appsettings.json ended the process with an unhandled InvalidDataException and its stack.
        // The program is copied beside its dependencies (linked, not copied: the host reads the settings file next
        // to the program it was given, and resolves a linked program to where it really is).
        var program = Path.GetDirectoryName(RepositoryLayout.C360Dll)!;
        var copy = TestScratch.Run.NewDirectory("c360-settings-");
        foreach (var entry in Directory.EnumerateFileSystemEntries(program))
        {
            var name = Path.GetFileName(entry);
            var target = Path.Combine(copy, name);
            if (name.StartsWith("c360.", StringComparison.Ordinal))
            {
                File.Copy(entry, target);
            }
            else if (name != "appsettings.json")
            {
                File.CreateSymbolicLink(target, entry);
            }
        }

        await File.WriteAllTextAsync(Path.Combine(copy, "appsettings.json"), "{\n  \"Kafka\": { \"BootstrapServers\": \"127.0.0.1:1\" ]\n}\n", TestContext.Current.CancellationToken);
        redis.SkipUnlessAvailable();
        string[] arguments = verb == "demo" ? ["demo", "--redis", redis.ConnectionString, "--duration", "1"] : ["run"];
        using var processor = ChildProcess.Start("dotnet", [Path.Combine(copy, Path.GetFileName(RepositoryLayout.C360Dll)), .. arguments], workingDirectory: copy);

        Assert.True(await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit");
        Assert.True(processor.ExitCode == 2, processor.AllOutput);
        var error = string.Join(Environment.NewLine, processor.StandardError);
        Assert.Contains($"{Path.Combine(copy, "appsettings.json")} is not valid JSON (line 2):", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DeclaredTopicMissingOnCluster_RefusesToStartNamingTheTopic()
    {
        redis.SkipUnlessAvailable();
        var names = new UniqueNames(nameof(Run_DeclaredTopicMissingOnCluster_RefusesToStartNamingTheTopic));
        var topologyDirectory = C360Program.WritePrefixedTopology(names, "c360");
        using var processor = C360Program.Start(["run"], new Dictionary<string, string?>
        {
            ["C360__Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["C360__Kafka__StartupTimeoutSeconds"] = "10",
            ["C360__Redis__ConnectionString"] = redis.ConnectionString,
            ["C360__SchemaRegistry__Url"] = registry.UrlText,
            ["C360__Http__Port"] = "0",
            ["C360__Topology__Directory"] = topologyDirectory,
        });

        Assert.True(await processor.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit");
        Assert.Equal(2, processor.ExitCode);
        Assert.Contains(processor.StandardError, l => l.Contains($"topic '{names.Topic("c360.clickstream.v1")}' does not exist", StringComparison.Ordinal));
    }
}
