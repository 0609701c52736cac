using Customer360.Streaming.Host.Cli;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Tests.Hosting;

public sealed class ProcessorHostOptionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Kafka:BootstrapServers"] = "127.0.0.1:9",
        ["Redis:ConnectionString"] = "127.0.0.1:1",
        ["SchemaRegistry:Url"] = "http://127.0.0.1:9",
        ["Http:Port"] = "0",
    };

    [Theory]
    [InlineData("Kafka:BootstrapServers", "", "Kafka:BootstrapServers is required")]
    [InlineData("Kafka:BootstrapServers", "broker-without-port", "Kafka:BootstrapServers is invalid: 'broker-without-port' is not host:port")]
    [InlineData("Kafka:ApplicationId", "has spaces", "Kafka:ApplicationId must be")]
    [InlineData("Kafka:CommitIntervalMs", "0", "Kafka:CommitIntervalMs must be between 10 and 60000")]
    [InlineData("Kafka:LingerMs", "-1", "Kafka:LingerMs must be between 0 and 1000")]
    [InlineData("Kafka:PromptCommitIntervalMs", "0", "Kafka:PromptCommitIntervalMs must be between 1 and 60000")]
    [InlineData("Redis:ConnectionString", "", "Redis:ConnectionString is required")]
    [InlineData("Http:Port", "70000", "Http:Port must be between 0 and 65535")]
    [InlineData("Http:Host", "not an address", "Http:Host must be an IP address or 'localhost'")]
    [InlineData("Http:Host", "0.0.0.0", "Http:ApiKey is required when Http:Host is not a loopback address")]
    [InlineData("Http:ApiKey", "short", "Http:ApiKey must have at least 16 characters")]
    [InlineData("SchemaRegistry:Url", "", "SchemaRegistry:Url is required")]
    [InlineData("SchemaRegistry:Url", "ftp://registry", "SchemaRegistry:Url must be one or more comma-separated http(s):// URLs")]
    [InlineData("Avro:MaxPayloadBytes", "0", "Avro:MaxPayloadBytes")]
    [InlineData("Avro:RegistryWaitMs", "5", "Avro:RegistryWaitMs must be between 10 and 600000")]
    [InlineData("Context:MaxCustomersPerIdentifier", "0", "Context:MaxCustomersPerIdentifier must be between 1 and 100")]
    [InlineData("Context:GraceSeconds", "-1", "Context:GraceSeconds must be between 0 and 86400")]
    [InlineData("Triggers:DailyCap", "0", "Triggers:DailyCap must be between 1 and 100")]
    [InlineData("Triggers:FatigueAfterIgnored", "-1", "Triggers:FatigueAfterIgnored must be between 0 (off) and 100")]
    [InlineData("Triggers:ReloadIntervalSeconds", "7200", "Triggers:ReloadIntervalSeconds must be between 0 (off) and 3600")]
    [InlineData("Triggers:TimerIntervalSeconds", "0", "Triggers:TimerIntervalSeconds must be between 1 and 3600")]
    [InlineData("Decisioning:MaxExplorationShare", "1.5", "Decisioning:MaxExplorationShare must be between 0 and 1")]
    [InlineData("Decisioning:Policy", "greedy", "Decisioning:Policy must be learned, priority or random")]
    [InlineData("Decisioning:Policy", "", "Decisioning:Policy must be learned, priority or random")]
    [InlineData("Redis:KeyPrefix", "", "Redis:KeyPrefix must be 1-32 letters, digits, '_' or '-'")]
    [InlineData("Redis:KeyPrefix", "has:colon", "Redis:KeyPrefix must be 1-32 letters, digits, '_' or '-'")]
    [InlineData("Kafka:Properties:no.such.setting", "1", "Kafka:Properties:no.such.setting is not a librdkafka setting")]
    [InlineData("Kafka:Properties:message.max.bytes", "huge", "Kafka:Properties:message.max.bytes has a value librdkafka does not accept")]
    [InlineData("Kafka:Properties:acks", "1", "Kafka:Properties:acks is fixed by the runtime: idempotent producers with acks=all")]
    [InlineData("Kafka:Properties:partitioner", "random", "Kafka:Properties:partitioner is fixed by the runtime: murmur2_random")]
    [InlineData("Kafka:Properties:transactional.id", "orders", "Kafka:Properties:transactional.id is set by the runtime")]
    [InlineData("Kafka:Properties:enable.auto.commit", "true", "Kafka:Properties:enable.auto.commit is fixed by the runtime: it commits processed positions itself")]
    [InlineData("Kafka:Properties:metadata.broker.list", "kafka:9092", "Kafka:Properties:metadata.broker.list is Kafka:BootstrapServers; set that instead.")]
    [InlineData("Kafka:Properties:linger.ms", "1", "Kafka:Properties:linger.ms is Kafka:LingerMs; set that instead.")]
    [InlineData("Context:MaxFutureSkewSeconds", "0", "Context:MaxFutureSkewSeconds must be between 1 and 86400")]
    [InlineData("Streams:DeadLetterMaxBytes", "100", "Streams:DeadLetterMaxBytes must be between 16384 and 100000000")]
    [InlineData("Streams:CloseTimeoutMs", "50", "Streams:CloseTimeoutMs must be between 100 and 300000")]
    [InlineData("Streams:StateMemoryMiB", "8", "Streams:StateMemoryMiB must be between 16 and 1048576")]
    [InlineData("Streams:StateCacheMiB", "0", "Streams:StateCacheMiB must be between 1 and 1048576")]
    [InlineData("Streams:RepartitionPurgeIntervalMs", "-1", "Streams:RepartitionPurgeIntervalMs must be between 0 (off) and 86400000")]
    [InlineData("Streams:StateDirectory", "/proc/c360-state/app", "Streams:StateDirectory cannot be created or written")]
    [InlineData("Streams:ProcessingGuarantee", "2", "Streams:ProcessingGuarantee must be one of AtLeastOnce, ExactlyOnceV2")]
    [InlineData("Streams:OnProcessingError", "7", "Streams:OnProcessingError must be one of Fail, DeadLetter")]
    [InlineData("Streams:OnDeserializationError", "-1", "Streams:OnDeserializationError must be one of Fail, DeadLetter")]
    [InlineData("Streams:OnValidationError", "3", "Streams:OnValidationError must be one of Fail, DeadLetter")]
    [InlineData("Streams:StateStore", "9", "Streams:StateStore must be one of RocksDb, InMemory")]
    [InlineData("Streams:OnChangelogTruncated", "4", "Streams:OnChangelogTruncated must be one of Fail, RestoreRemaining")]
    [InlineData("Avro:SubjectNameStrategy", "5", "Avro:SubjectNameStrategy must be one of Topic, Record, TopicRecord")]
    [InlineData("Streams:OnProcessingError", "Fail, DeadLetter", "Streams:OnProcessingError must be one of Fail, DeadLetter (was 'Fail, DeadLetter')")]
    [InlineData("Streams:ProcessingGuarantee", "AtLeastOnce,ExactlyOnceV2", "Streams:ProcessingGuarantee must be one of AtLeastOnce, ExactlyOnceV2")]
    public async Task Start_InvalidSetting_FailsBeforeConnectingAndNamesTheKey(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>(Valid) { [key] = value };
        await using var app = ProcessorHost.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("500000", null, "Streams:DeadLetterMaxBytes (999000) must be at least 1000 bytes below the producer's message.max.bytes (500000)")]
    [InlineData("500000", "499000", null)]
    [InlineData(null, "1000000", "Streams:DeadLetterMaxBytes (1000000) must be at least 1000 bytes below the producer's message.max.bytes (1000000)")]
    public async Task Start_DeadLettersTheProducerCouldNotSend_FailsNamingBothSettings(string? messageMaxBytes, string? deadLetterMaxBytes, string? expected)
    {
        // Otherwise the first large hostile record stops the processor: its dead letter is a record no retry can send.
        var settings = new Dictionary<string, string?>(Valid);
        if (messageMaxBytes is not null)
        {
            settings["Kafka:Properties:message.max.bytes"] = messageMaxBytes;
        }

        if (deadLetterMaxBytes is not null)
        {
            settings["Streams:DeadLetterMaxBytes"] = deadLetterMaxBytes;
        }

        await using var app = ProcessorHost.Build(settings);

        if (expected is null)
        {
            Assert.Equal(499_000, app.Services.GetRequiredService<IOptions<StreamsOptions>>().Value.DeadLetterMaxBytes);
            return;
        }

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ExactlyOnceV2", "Kafka:CommitIntervalMs=20000", "Kafka:CommitIntervalMs (20000) must be at most Streams:TransactionTimeoutMs (10000) under ExactlyOnceV2: a transaction stays open from one commit to the next, and the broker aborts one that outlives its timeout.")]
    [InlineData("ExactlyOnceV2", "Kafka:CommitIntervalMs=20000;Streams:TransactionTimeoutMs=30000", null)]
    [InlineData("AtLeastOnce", "Kafka:CommitIntervalMs=20000", null)]
    [InlineData("ExactlyOnceV2", "Kafka:Properties:message.timeout.ms=600000", "Kafka:Properties:message.timeout.ms has a value librdkafka does not accept beside Streams:ProcessingGuarantee ExactlyOnceV2 and Streams:TransactionTimeoutMs 10000 (librdkafka: `message.timeout.ms` must be set <= `transaction.timeout.ms`).")]
    [InlineData("ExactlyOnceV2", "Kafka:Properties:message.timeout.ms=9000", null)]
    [InlineData("AtLeastOnce", "Kafka:Properties:message.timeout.ms=600000", null)]
    public async Task Start_KafkaSettingsAtOddsWithTheTransactions_FailUnderExactlyOnceNamingBothSides(string guarantee, string given, string? expected)
    {
        // Each passed its own section's checks. Under exactly_once_v2 a commit interval above the transaction timeout had
        // the broker abort every transaction and fence the producer, and a message timeout above it failed the first
        // stream thread: librdkafka refuses it on a transactional producer only.
        var settings = new Dictionary<string, string?>(Valid) { ["Streams:ProcessingGuarantee"] = guarantee };
        foreach (var setting in given.Split(';'))
        {
            var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            settings[key] = value;
        }

        await using var app = ProcessorHost.Build(settings);

        if (expected is null)
        {
            Assert.Equal(guarantee, app.Services.GetRequiredService<IOptions<StreamsOptions>>().Value.ProcessingGuarantee.ToString());
            return;
        }

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(expected, error.Failures);
    }

    [Theory]
    [InlineData("Streams:ProcesingGuarantee", "Streams:ProcesingGuarantee is not a setting (did you mean Streams:ProcessingGuarantee?)")]
    [InlineData("Kafka:ProcessingGuarantee", "Kafka:ProcessingGuarantee is not a setting (Streams:ProcessingGuarantee is; Kafka has ApplicationId, BootstrapServers,")]
    [InlineData("Redis:Url", "Redis:Url is not a setting (SchemaRegistry:Url is; Redis has ConnectTimeoutMs, ConnectionString, KeyPrefix)")]
    [InlineData("Triggers:dailycap", null)]
    public async Task Start_UnknownKeyInASection_FailsAndSuggestsTheSettingMeant(string key, string? expected)
    {
        // A typo in a key (or a key under the wrong section) otherwise leaves the setting at its default unnoticed.
        var settings = new Dictionary<string, string?>(Valid) { [key] = "1" };
        await using var app = ProcessorHost.Build(settings);

        if (expected is null)
        {
            // Keys are case-insensitive, as the binder reads them; reading the options runs their validation.
            Assert.Equal(1, app.Services.GetRequiredService<IOptions<TriggerOptions>>().Value.DailyCap);
            return;
        }

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Streams:ProcessingGuarantee", "Sometimes", "Streams:ProcessingGuarantee must be one of AtLeastOnce, ExactlyOnceV2 (was 'Sometimes')")]
    [InlineData("Streams:ProcessingGuarantee", "exactly_once", "Streams:ProcessingGuarantee must be one of AtLeastOnce, ExactlyOnceV2 (was 'exactly_once')")]
    [InlineData("Kafka:CommitIntervalMs", "fast", "Kafka:CommitIntervalMs must be a whole number (was 'fast')")]
    [InlineData("Kafka:CommitIntervalMs", "1e3", "Kafka:CommitIntervalMs must be a whole number (was '1e3')")]
    [InlineData("Streams:OnChangelogTruncated", "Ignore", "Streams:OnChangelogTruncated must be one of Fail, RestoreRemaining (was 'Ignore')")]
    [InlineData("Kafka:Properties:no.such.setting", "1", "Kafka:Properties:no.such.setting is not a librdkafka setting")]
    [InlineData("Triggers:WallClockTimers", "sometimes", "Triggers:WallClockTimers must be true or false (was 'sometimes')")]
    [InlineData("Decisioning:MaxExplorationShare", "a third", "Decisioning:MaxExplorationShare must be a number (was 'a third')")]
    [InlineData("Http:Port", "http", "Http:Port must be a whole number (was 'http')")]
    [InlineData("Kafka:Properties", "acks=all", "Kafka:Properties must hold settings under it (Kafka:Properties:<name>), not a value of its own (was 'acks=all')")]
    [InlineData("Streams:Threads", "", "Streams:Threads must be a whole number (was '')")]
    // What appsettings.json's "Threads": [1, 2], "Properties": {"linger.ms": {"x": 1}} and "Streams": 5 become: the binder
    // dropped each without a word, leaving the default.
    [InlineData("Streams:Threads:0", "2", "Streams:Threads must be a whole number, not a list or an object")]
    [InlineData("Streams:ProcessingGuarantee:mode", "AtLeastOnce", "Streams:ProcessingGuarantee must be one of AtLeastOnce, ExactlyOnceV2, not a list or an object")]
    [InlineData("Kafka:Properties:socket.keepalive.enable:x", "1", "Kafka:Properties:socket.keepalive.enable must be a single value, not a list or an object")]
    [InlineData("Streams", "5", "Streams must hold settings under it (Streams:<name>), not a value of its own (was '5')")]
    public async Task Run_ValueOfTheWrongType_ExitsWithCode2AndNamesTheKeyAndWhatItTakes(string key, string value, string expected)
    {
        // The binder's own message named the key but not what it takes ("exactly_once is not a valid value for
        // ProcessingGuarantee"), and a wrong Http:Port ended the process with an unhandled exception and exit code 1.
        var settings = new Dictionary<string, string?>(Valid) { [key] = value };

        var (exitCode, errors) = await RunAsync(settings);

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ValuesOfTheWrongTypeInSeveralSections_ListsEveryOneWithTheOtherSectionsProblems()
    {
        // The first value the binder could not convert ended the check: one mistake was reported per start.
        var settings = new Dictionary<string, string?>(Valid)
        {
            ["Kafka:CommitIntervalMs"] = "fast",
            ["Context:GraceSeconds"] = "ten minutes",
            ["Avro:SubjectNameStrategy"] = "TopicName",
            ["Redis:ConnectionString"] = "",
            ["Triggers:DailyCap"] = "0",
        };

        var (exitCode, errors) = await RunAsync(settings);

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Equal(
            [
                "Invalid configuration:",
                "  - Kafka:CommitIntervalMs must be a whole number (was 'fast')",
                "  - Redis:ConnectionString is required, e.g. 127.0.0.1:6379 (C360__Redis__ConnectionString).",
                "  - Avro:SubjectNameStrategy must be one of Topic, Record, TopicRecord (was 'TopicName')",
                "  - Context:GraceSeconds must be a whole number (was 'ten minutes')",
                "  - Triggers:DailyCap must be between 1 and 100.",
            ],
            errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("Redis:ConnectionString", "", "Redis:ConnectionString is required")]
    [InlineData("Streams:Threads", "two", "Streams:Threads must be a whole number (was 'two')")]
    public async Task Run_SettingsWrongInSeveralSections_ExitsWithCode2AndListsThem(string key, string value, string expected)
    {
        // `c360 run` with neither Kafka nor Redis configured printed an unhandled AggregateException and exited 1.
        var settings = new Dictionary<string, string?>(Valid) { ["Kafka:BootstrapServers"] = "", [key] = value };

        var (exitCode, errors) = await RunAsync(settings);

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains("Kafka:BootstrapServers is required", errors, StringComparison.Ordinal);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StateDirectoryAnotherProcessHolds_ExitsWithCode2BeforeConnecting()
    {
        // "One process per folder" was only written down: a second process in the folder opened the first one's task
        // stores, which RocksDB refused part way through an assignment.
        var folder = TestScratch.Run.NewDirectory("c360-state-");
        using var otherProcess = new FileStream(Path.Combine(folder, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var settings = new Dictionary<string, string?>(Valid) { ["Streams:StateDirectory"] = folder, ["Kafka:StartupTimeoutSeconds"] = "30" };

        var (exitCode, errors) = await RunAsync(settings);

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains($"Streams:StateDirectory {folder} is in use by another process", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Kafka", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ExactlyOnceV2", "false")]
    [InlineData("AtLeastOnce", "true")]
    public async Task Run_InstanceIdAnotherProcessOnThisHostHolds_ExitsWithCode2BeforeConnecting(string guarantee, string staticMembership)
    {
        // Two processes with one instance id (by default the host name) started, and their stream threads fenced each
        // other's transactional producers (or took each other's static memberships) until both had failed for good.
        var instance = $"instance-{Guid.NewGuid():N}";
        using var otherProcess = new FileStream(ProcessLock.InstancePath("c360", instance), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        var settings = new Dictionary<string, string?>(Valid)
        {
            ["Streams:InstanceId"] = instance, ["Streams:ProcessingGuarantee"] = guarantee, ["Streams:StaticMembership"] = staticMembership,
            ["Streams:StateStore"] = "InMemory", ["Kafka:StartupTimeoutSeconds"] = "30",
        };

        var (exitCode, errors) = await RunAsync(settings);

        Assert.Equal(ExitCodes.InvalidConfiguration, exitCode);
        Assert.Contains($"Streams:InstanceId {instance} of application c360 is in use by another process on this host", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Kafka", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task WallClockTimers_ReachesThePipeline(string? configured, bool expected)
    {
        var settings = new Dictionary<string, string?>(Valid);
        if (configured is not null)
        {
            settings["Triggers:WallClockTimers"] = configured;
        }

        await using var app = ProcessorHost.Build(settings);

        Assert.Equal(expected, Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Customer360.Streaming.Pipeline.ContextPipelineSetup>(app.Services).WallClockTimers);
    }

    /// <summary><c>c360 run</c> with <paramref name="settings"/>, built and started as the program does: its exit code and what it said on standard error.</summary>
    private static async Task<(int ExitCode, string Errors)> RunAsync(Dictionary<string, string?> settings)
    {
        using var errors = new StringWriter();
        var exitCode = RunCommand.Build(() => ProcessorHost.Build(settings), errors) is { } app
            ? await RunCommand.RunAsync(app, TestContext.Current.CancellationToken, errors)
            : ExitCodes.InvalidConfiguration;
        return (exitCode, errors.ToString());
    }
}
