using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("broker --brokers 0", "--brokers must be between 1 and 10 (was 0)")]
    [InlineData("demo --duration 0", "--duration must be between 1 and 3600 (was 0)")]
    [InlineData("demo --rate 999999", "--rate must be between 1 and 10000 (was 999999)")]
    [InlineData("demo --fetch-wait-ms 0", "--fetch-wait-ms must be between 1 and 1000 (was 0)")]
    [InlineData("context rebuild --anonymous-ttl-hours 0", "--anonymous-ttl-hours must be between 1 and 87600 (was 0)")]
    [InlineData("rules test --show -1", "--show must be between 0 and 100000 (was -1)")]
    [InlineData("decisioning evaluate --max-exploration-share NaN", "--max-exploration-share must be between 0 and 1 (was NaN)")]
    [InlineData("decisioning evaluate --partitions 0", "--partitions must be between 1 and 256 (was 0)")]
    public void Parse_OutOfRangeOption_ReportsOptionAndValue(string commandLine, string expected)
    {
        var result = C360Cli.Create().Parse(commandLine);

        Assert.Contains(result.Errors, e => e.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("broker --brokers three", "--brokers")]
    [InlineData("demo --duration abc", "--duration")]
    [InlineData("demo --rate fast", "--rate")]
    [InlineData("demo --customers many", "--customers")]
    [InlineData("demo --http-port http", "--http-port")]
    [InlineData("demo --fetch-wait-ms 3ms", "--fetch-wait-ms")]
    [InlineData("lag --group g --interval 5s", "--interval")]
    [InlineData("lag --group g --samples x", "--samples")]
    [InlineData("registry --port x", "--port")]
    [InlineData("simulate --rate x", "--rate")]
    [InlineData("topics create --replication-factor x", "--replication-factor")]
    [InlineData("rules test --drain-hours x", "--drain-hours")]
    [InlineData("context rebuild --anonymous-ttl-hours x", "--anonymous-ttl-hours")]
    [InlineData("decisioning evaluate --days x", "--days")]
    [InlineData("decisioning evaluate --max-exploration-share x", "--max-exploration-share")]
    public void Parse_ValueThatIsNotANumber_IsAnErrorNamingTheOption(string commandLine, string option)
    {
        // `c360 demo --duration abc` aborted the process (exit 134): a range check asked for a value that never parsed.
        var result = C360Cli.Create().Parse(commandLine);

        Assert.Contains(result.Errors, e => e.Message.Contains($"for option '{option}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("context", "rebuild")]
    [InlineData("dead-letters", "summary")]
    [InlineData("rules", "test", "--rules", "r.yaml", "--events", "e.jsonl")]
    public void Parse_ApplicationIdKafkaCannotName_IsAnErrorNamingTheOption(params string[] command)
    {
        // It names the consumer group and the internal topics; 'bad id' reached the cluster as "bad id-contexts-changelog".
        foreach (var id in new[] { "bad id", "", "a/b" })
        {
            var result = C360Cli.Create().Parse([.. command, "--application-id", id]);

            Assert.Contains(result.Errors, e => e.Message == $"--application-id must be 1-100 letters, digits, '.', '_' or '-' (was '{id}').");
        }

        Assert.Empty(C360Cli.Create().Parse([.. command, "--application-id", "c360-eu.1_a"]).Errors);
    }

    [Fact]
    public void Parse_LagWithoutAGroup_JudgesTheProcessorsGroup()
    {
        // `c360 lag` alone answered "Option '--group' is required", though the processor's group is its application id,
        // which the other verbs working for the processor take by default.
        var result = C360Cli.Create().Parse(["lag"]);

        Assert.Empty(result.Errors);
        Assert.Equal(Environment.GetEnvironmentVariable("C360__Kafka__ApplicationId") ?? "c360", result.GetValue<string>("--group"));
    }

    [Theory]
    [InlineData("--group", "", "--group must name a consumer group")]
    [InlineData("--group", "  ", "--group must name a consumer group")]
    [InlineData("--group", "c360\u001b[2J", "--group must not contain control characters")]
    [InlineData("--topics", ", ,", "--topics must name at least one topic")]
    [InlineData("--fail-on", "ok", "--fail-on must be warn, rewind, stall or stop")]
    [InlineData("--fail-on", "late", "--fail-on must be warn, rewind, stall or stop")]
    public void Parse_LagWithAGroupOrTopicsItCannotUse_IsAnErrorNamingTheOption(string option, string value, string expected)
    {
        // An empty group reached librdkafka, which answered "Failed to redirect the poll queue ...: Unknown group"; one
        // with an escape sequence was printed as given, clearing the operator's terminal.
        string[] args = option == "--group" ? ["lag", "--group", value] : ["lag", "--group", "g", option, value];

        var result = C360Cli.Create().Parse(args);

        Assert.Contains(result.Errors, e => e.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_LagFailOnWithWatch_IsAnError_AsOnlyAOneShotReportEnds()
    {
        var result = C360Cli.Create().Parse(["lag", "--fail-on", "stall", "--watch"]);

        Assert.Contains(result.Errors, e => e.Message.StartsWith("--fail-on judges the one-shot report; leave out --watch", StringComparison.Ordinal));
        Assert.Empty(C360Cli.Create().Parse(["lag", "--fail-on", "STALL"]).Errors);
    }

    [Theory]
    [InlineData("--topic", "", "--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (was '').")]
    [InlineData("--topic", "schemas state", "--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (was 'schemas state').")]
    [InlineData("--topic", "..", "--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (was '..').")]
    [InlineData("--bootstrap-servers", "", "--bootstrap-servers is empty; leave it out to keep the registry's state in memory.")]
    [InlineData("--bootstrap-servers", "kafka", "--bootstrap-servers must be a host:port list: 'kafka' is not host:port.")]
    [InlineData("--basic-auth", ":", "--basic-auth must be user:password, neither of them empty.")]
    [InlineData("--basic-auth", "admin:", "--basic-auth must be user:password, neither of them empty.")]
    [InlineData("--basic-auth", "admin", "--basic-auth must be user:password, neither of them empty.")]
    public void Parse_RegistryWithAStateTopicKafkaCannotHoldOrEmptyCredentials_IsAnErrorNamingTheOption(string option, string value, string expected)
    {
        // An empty topic failed as "registry failed: Local: Bad message format"; one with a space was taken by the
        // embedded broker and would be refused by a real one; ":" made a registry that asked for an empty password; a
        // bootstrap list without a port failed after 30 s as "no Kafka broker answered".
        var result = C360Cli.Create().Parse(["registry", option, value]);

        Assert.Contains(result.Errors, e => e.Message == expected);
    }

    [Theory]
    [InlineData(new[] { "dead-letters", "replay" }, "Option '--class' is required")]
    [InlineData(new[] { "dead-letters", "replay", "--class", " , " }, "--class must name at least one error class")]
    public void Parse_ReplayWithoutAnErrorClass_IsAnError(string[] args, string expected)
    {
        // Replaying every dead letter would send back records whose cause nobody mended, only to dead-letter them again.
        var result = C360Cli.Create().Parse(args);

        Assert.Contains(result.Errors, e => e.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Invocation_GivesASignalledVerbAtLeastTheHostsShutdownTimeout()
    {
        // CI saw `c360 run` exit 143 on SIGTERM: System.CommandLine's default 2 s ended a clean shutdown midway.
        var hostShutdown = new Microsoft.Extensions.Hosting.HostOptions().ShutdownTimeout;

        Assert.True(C360Cli.Invocation().ProcessTerminationTimeout > hostShutdown);
    }

    [Fact]
    public void Parse_UnknownVerb_IsAnError()
    {
        Assert.NotEmpty(C360Cli.Create().Parse("frobnicate").Errors);
    }
}

[Collection(nameof(ConsoleRedirection))]
public sealed class DeadLettersCommandTests
{
    [Fact]
    public async Task Replay_with_an_origin_topic_no_record_enters_by_exits_2_naming_it_before_reading_anything()
    {
        // A typo in --origin-topic matched nothing and reported every dead letter as left alone.
        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(
            ["dead-letters", "replay", "--class", "InvalidValue", "--origin-topic", "c360.clickstrem.v1", "--bootstrap-servers", "127.0.0.1:1", "--topology-dir", RepositoryLayout.TopologyDirectory],
            TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("--origin-topic c360.clickstrem.v1 is not an input or table topic of topics.yaml", errors, StringComparison.Ordinal);
    }
}

[Collection(nameof(ConsoleRedirection))]
public sealed class RulesCommandTests
{
    [Fact]
    public async Task Validate_InvalidFile_ExitsWith2AndListsEveryError()
    {
        var file = Path.Combine(TestScratch.Run.NewDirectory("c360-rules-"), "triggers.yaml");
        await File.WriteAllTextAsync(file, """
            rules:
              - id: broken
                version: 1
                description: two mistakes
                on: [beacon.enter]
                when: relationship.tier > 3
                channel: push
                priority: 10
                expiry: 10m
                cooldown: forever
                topic: c360.triggers.v1
            """, TestContext.Current.CancellationToken);
        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(["rules", "validate", file], TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("rules[0] 'broken': 'when': column 19: cannot compare text with a number using '>'", errors, StringComparison.Ordinal);
        Assert.Contains("rules[0] 'broken': 'cooldown': 'forever' is not a duration", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ShippedFile_Succeeds()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "topology", "triggers.yaml");

        var exitCode = await C360Cli.Create().Parse(["rules", "validate", file]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
    }
}

[Collection(nameof(ConsoleRedirection))]
public sealed class CommandLineExitCodeTests
{
    [Theory]
    [InlineData("simulate --customers 0", "--customers must be between 1 and 100000 (was 0).")]
    [InlineData("demo --duration abc", "for option '--duration'")]
    [InlineData("lag --group g --no-such-option", "Unrecognized command or argument '--no-such-option'.")]
    public async Task A_command_line_that_does_not_parse_exits_with_code_2_as_invalid_configuration(string commandLine, string expected)
    {
        // It exited 1, the code of a runtime failure, where a bad setting exits 2.
        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(commandLine.Split(' '), TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_whose_bootstrap_file_cannot_be_written_exits_with_code_2_naming_it()
    {
        // It ended with an unhandled DirectoryNotFoundException and its stack.
        var file = Path.Combine(TestScratch.Run.NewDirectory("c360-broker-"), "no-such-folder", "bootstrap.txt");

        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(["broker", "--bootstrap-file", file], TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--bootstrap-file {file} cannot be written:", errors, StringComparison.Ordinal);
    }
}

[Collection(nameof(ConsoleRedirection))]
public sealed class RegistryCommandTests
{
    [Fact]
    public async Task Registry_PortAlreadyInUse_ExitsWith2AndNamesThePort()
    {
        // It printed an unhandled IOException ("address already in use") with its stack trace and exited 1.
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        // Bounded: were the port free after all, the registry would serve until cancelled.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var (exitCode, _, errors) = await ConsoleRedirection.RunAsync(["registry", "--port", $"{port}"], timeout.Token);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--port {port} is in use", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_CredentialsFromTheEnvironmentWithoutAPassword_ExitsWith2BeforeServing()
    {
        // The variable was taken unchecked, so "admin:" started a registry whose password was empty.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Environment.SetEnvironmentVariable("C360_REGISTRY_BASIC_AUTH", "admin:");
        try
        {
            var (exitCode, output, errors) = await ConsoleRedirection.RunAsync(["registry", "--port", "0"], timeout.Token);

            Assert.Equal(2, exitCode);
            Assert.Contains("C360_REGISTRY_BASIC_AUTH must be user:password, neither of them empty.", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("schema.registry.url", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("C360_REGISTRY_BASIC_AUTH", null);
        }
    }
}

[Collection(nameof(ConsoleRedirection))]
public sealed class RulesTestCommandTests : IDisposable
{
    private readonly string _folder = TestScratch.Run.NewDirectory("c360-rules-test-");
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "topology", "triggers.yaml");

    [Fact]
    public async Task RulesTest_EventsFile_PrintsTheTriggersGainedLostAndChanged()
    {
        var events = Path.Combine(_folder, "journey.jsonl");
        var contracts = Contracts.SchemaCatalog.Load(Path.Combine(AppContext.BaseDirectory, "schemas"));
        await File.WriteAllTextAsync(events, Testing.ScriptedJourney.ToJsonLines(Testing.ScriptedJourney.Records("c-1"), contracts), TestContext.Current.CancellationToken);
        var edited = Path.Combine(_folder, "new.yaml");
        foreach (var catalog in new[] { Pipeline.Triggers.RuleSources.SegmentsFileName, Pipeline.Triggers.RuleSources.OffersFileName })
        {
            // The rules name segments and offers, which load from beside the rule file.
            File.Copy(Path.Combine(Path.GetDirectoryName(Shipped)!, catalog), Path.Combine(_folder, catalog));
        }

        var yaml = await File.ReadAllTextAsync(Shipped, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(
            edited,
            yaml.Replace("when: >-\n      context.cart.value > 0", "when: >-\n      context.cart.value > 500", StringComparison.Ordinal)
                .Replace("dwell: {in: zone, for: 3m}", "dwell: {in: zone, for: 4m}", StringComparison.Ordinal),
            TestContext.Current.CancellationToken);

        var (exitCode, output, _) = await Run(["rules", "test", "--rules", edited, "--events", events, "--current", Shipped, "--fail-on-diff"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"replayed 14 records from {events}", output, StringComparison.Ordinal);
        Assert.Contains("diff: 0 gained, 1 lost, 1 changed, 1 unchanged", output, StringComparison.Ordinal);
        Assert.Contains("LOST     cart-reminder-in-store v1  customer c-1  at 2026-09-21 14:16:20Z  its conditions no longer hold", output, StringComparison.Ordinal);
        Assert.Contains("CHANGED  zone-dwell-assist v2  customer c-1  at 2026-09-21 14:19:50Z -> 2026-09-21 14:20:40Z", output, StringComparison.Ordinal);
        // Both edits kept their rule's version, so decisions before and after would name the same rule.
        Assert.Contains("warning: changed without a new version: cart-reminder-in-store v1, zone-dwell-assist v2", output, StringComparison.Ordinal);

        var (sameExit, sameOutput, _) = await Run(["rules", "test", "--rules", Shipped, "--events", events, "--current", Shipped, "--fail-on-diff"]);
        Assert.Equal(0, sameExit);
        Assert.Contains("diff: 0 gained, 0 lost, 0 changed, 3 unchanged", sameOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("without a new version", sameOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesTest_EventsNeitherFileNorReachableTopics_ExitsWith2AndSaysWhatIsMissing()
    {
        var (exitCode, _, errors) = await Run(["rules", "test", "--rules", Shipped, "--events", "c360.clickstream.v1"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--events 'c360.clickstream.v1' is not a file; to read topics, --bootstrap-servers and --registry-url are required", errors, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<(int ExitCode, string Output, string Errors)> Run(string[] args) =>
        ConsoleRedirection.RunAsync(args, TestContext.Current.CancellationToken);
}
