using System.CommandLine;
using System.Globalization;
using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Customer360.Streaming.Domain.Rules;
using Customer360.Streaming.Domain.Triggers;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Pipeline.Triggers;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 rules test --rules NEW.yaml --events FILE|TOPICS</c>: replays events through the current and the new rule
/// set and prints the triggers gained, lost and changed. Produces nothing and writes to no registry.
/// </summary>
internal static class RulesTestCommand
{
    public static Command Create()
    {
        var rules = new Option<string>("--rules") { Description = "The new rule file to compare.", Required = true };
        var current = new Option<string?>("--current") { Description = "The rule file in force (default: triggers.yaml in the topology folder)." };
        var events = new Option<string>("--events")
        {
            Description = "An events file (JSON Lines of Avro-JSON records) or comma-separated topics to read from Kafka (the relationship and identity tables are always read).",
            Required = true,
        };
        var bootstrap = new Option<string?>("--bootstrap-servers") { Description = "Kafka bootstrap servers when --events names topics (default: C360__Kafka__BootstrapServers)." };
        var registryUrl = new Option<string?>("--registry-url") { Description = "Schema Registry to read topic records with (default: C360__SchemaRegistry__Url)." };
        var drainHours = new Option<int>("--drain-hours") { Description = "Timers pending after the last event fire as if this many hours passed without input.", DefaultValueFactory = _ => 24 };
        drainHours.Validators.Add(r => CommonOptions.RequireRange(r, "--drain-hours", 0, 720));
        var applicationId = new Option<string?>("--application-id")
        {
            Description = "Application id whose internal topics topics.yaml declares (default: C360__Kafka__ApplicationId, else c360).",
        };
        applicationId.Validators.Add(CommonOptions.RequireApplicationId);
        var show = new Option<int>("--show") { Description = "Lines to print per kind of difference.", DefaultValueFactory = _ => 20 };
        show.Validators.Add(r => CommonOptions.RequireRange(r, "--show", 0, 100_000));
        var failOnDiff = new Option<bool>("--fail-on-diff") { Description = "Exit 1 when any trigger is gained, lost or changed (for CI)." };
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("test", "Replay events through the current and a new rule set and print the triggers gained, lost and changed.")
        {
            rules, current, events, bootstrap, registryUrl, applicationId, drainHours, show, failOnDiff, topologyDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(topologyDir);
            RuleSet currentRules, newRules;
            ReplaySetup setup;
            try
            {
                currentRules = RuleCatalog.Load(parse.GetValue(current) ?? Path.Combine(ContentFolders.ResolveDirectory(folder), RuleCatalog.FileName));
                newRules = RuleCatalog.Load(parse.GetValue(rules)!);
                setup = Setup(folder, parse.GetValue(applicationId)) with { Drain = TimeSpan.FromHours(parse.GetValue(drainHours)) };
                var names = ProductTopicNames.FromCatalog(setup.Topics);
                ProductTopology.CheckRuleTopics(newRules, names);
            }
            catch (Exception ex) when (ex is TopologyException or DirectoryNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.InvalidConfiguration;
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync(SettingsSection.Describe(ex.Failures));
                return ExitCodes.InvalidConfiguration;
            }

            List<ReplayInput> inputs;
            var source = parse.GetValue(events)!;
            if (File.Exists(source))
            {
                if (ReadFile(source, setup) is not { } read)
                {
                    return ExitCodes.InvalidConfiguration;
                }

                inputs = read;
            }
            else
            {
                var servers = parse.GetValue(bootstrap) ?? Environment.GetEnvironmentVariable("C360__Kafka__BootstrapServers");
                var url = CommonOptions.RegistryUrl(parse.GetValue(registryUrl));
                if (string.IsNullOrWhiteSpace(servers) || string.IsNullOrWhiteSpace(url))
                {
                    await Console.Error.WriteLineAsync($"--events '{source}' is not a file; to read topics, --bootstrap-servers and --registry-url are required.");
                    return ExitCodes.InvalidConfiguration;
                }

                if (CommonOptions.AddressProblem(servers, url) is { } address)
                {
                    await Console.Error.WriteLineAsync(address);
                    return ExitCodes.InvalidConfiguration;
                }

                if (!CommonOptions.TryRegistryOptions(url, out var registryOptions) || !CommonOptions.TryKafkaOptions(servers, setup.ApplicationId, out var kafka))
                {
                    return ExitCodes.InvalidConfiguration;
                }

                try
                {
                    inputs = await ReadTopicsAsync(source, setup, kafka, registryOptions, cancellationToken);
                }
                catch (Exception ex) when (ex is KafkaException or SchemaRegistryException or ArgumentException or InvalidOperationException)
                {
                    await Console.Error.WriteLineAsync($"reading the topics failed: {KafkaFailure.Describe(ex, servers)}");
                    return ExitCodes.RuntimeFailure;
                }
            }

            var progress = (string line) => Console.Error.WriteLine($"[rules test] {line}");
            var before = RuleReplay.Run(currentRules, inputs, setup, new InProcessSchemaRegistry(), progress);
            var after = RuleReplay.Run(newRules, inputs, setup, new InProcessSchemaRegistry(), progress);
            var diff = RuleReplay.Diff(before, after);
            await Console.Out.WriteAsync(Report(inputs, source, (currentRules, before), (newRules, after), diff, parse.GetValue(show)));
            return parse.GetValue(failOnDiff) && !diff.IsEmpty ? ExitCodes.RuntimeFailure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The catalogs and the knobs the processor would run with (the same C360__ environment variables, checked as
    /// <c>c360 run</c> checks them: <see cref="OptionsValidationException"/> says what is wrong).
    /// </summary>
    internal static ReplaySetup Setup(string? topologyDirectory, string? applicationIdOption)
    {
        var configuration = SettingsSection.ProcessorEnvironment();
        var context = SettingsSection.Read(configuration, ContextOptions.SectionName, new ContextOptions());
        var triggers = SettingsSection.Read(configuration, TriggerOptions.SectionName, new TriggerOptions());
        var applicationId = applicationIdOption ?? configuration["Kafka:ApplicationId"] ?? "c360";
        return new ReplaySetup(
            applicationId, TopicCatalog.Load(ContentFolders.TopicsFile(topologyDirectory)), SchemaCatalog.Load(ContentFolders.SchemasDirectory(null)),
            StoreCatalog.Load(ContentFolders.StoresFile(topologyDirectory)), context.ToContextSettings(), context.ToIdentitySettings(), triggers.ToHygieneSettings());
    }

    private static List<ReplayInput>? ReadFile(string path, ReplaySetup setup)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var (records, errors) = AvroJsonLines.Read(reader, setup.ContractOf);
        foreach (var error in errors.Take(10))
        {
            Console.Error.WriteLine($"{path}:{error.Line}: skipped: {error.Reason}");
        }

        if (errors.Count > 10)
        {
            Console.Error.WriteLine($"{path}: {errors.Count - 10} more lines skipped");
        }

        if (records.Count == 0)
        {
            Console.Error.WriteLine($"{path}: no records to replay");
            return null;
        }

        return [.. records.Select(r => new ReplayInput(r.Topic, r.Key, r.Value, r.TimestampMs))];
    }

    private static async Task<List<ReplayInput>> ReadTopicsAsync(string topicList, ReplaySetup setup, KafkaOptions kafka, SchemaRegistryOptions registryOptions, CancellationToken cancellationToken)
    {
        var names = ProductTopicNames.FromCatalog(setup.Topics);
        var topics = topicList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(names.Relationship).Append(names.Identity).Distinct(StringComparer.Ordinal).ToList();
        var unknown = topics.Where(t => setup.ContractOf(t) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"not input or table topics of topics.yaml: {string.Join(", ", unknown)}");
        }

        using var registry = new SchemaRegistryClient(registryOptions);
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(kafka, "c360-rules-test-admin")).SetLogHandler(KafkaClientLog.Discard).Build();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfigs.Consumer(kafka, "c360-rules-test", "c360-rules-test")).SetLogHandler(KafkaClientLog.Discard).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds));
        var inputs = new List<ReplayInput>();
        foreach (var topic in topics)
        {
            var partitions = metadata.Topics.FirstOrDefault(t => t.Topic == topic)?.Partitions.Select(p => p.PartitionId).ToList()
                ?? throw new InvalidOperationException($"topic {topic} does not exist");
            var reader = new AvroDeserializer<GenericRecord>(registry, new AvroSerdeOptions(), setup.ContractOf(topic)!);
            var read = TopicReader.ReadToEnd(consumer, topic, partitions, TimeSpan.FromSeconds(kafka.StartupTimeoutSeconds), record =>
                inputs.Add(new ReplayInput(
                    topic, record.Message.Key is null ? null : Encoding.UTF8.GetString(record.Message.Key),
                    record.Message.Value is null ? null : reader.Deserialize(record.Message.Value), record.Message.Timestamp.UnixTimestampMs)),
                cancellationToken);
            await Console.Error.WriteLineAsync($"[rules test] read {read:N0} records from {topic}");
        }

        return inputs;
    }

    private static string Report(
        List<ReplayInput> inputs, string source, (RuleSet Rules, ReplayResult Result) current, (RuleSet Rules, ReplayResult Result) next, RuleDiff diff, int show)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var first = inputs.Min(i => i.TimestampMs);
        var last = inputs.Max(i => i.TimestampMs);
        text.AppendLine(inv, $"replayed {inputs.Count:N0} records from {source} ({Time(first)} to {Time(last)}) through both rule sets; {current.Result.DeadLetters} dead letters");
        foreach (var (label, (rules, result)) in new[] { ("current", current), ("new", next) })
        {
            text.AppendLine(inv, $"  {label,-8} {rules.Source}: {rules.Rules.Count} rules, {result.Decisions.Count(d => d.Fired)} fired, {result.Decisions.Count(d => !d.Fired)} suppressed");
        }

        if (next.Rules.ChangedUnderSameVersion(current.Rules) is { Count: > 0 } changedInPlace)
        {
            text.AppendLine(inv, $"warning: changed without a new version: {string.Join(", ", changedInPlace)} (decisions and trigger ids name a rule by id and version; raise 'version')");
        }

        text.AppendLine(inv, $"diff: {diff.Gained.Count} gained, {diff.Lost.Count} lost, {diff.Changed.Count} changed, {diff.Same} unchanged");
        foreach (var gained in diff.Gained.Take(show))
        {
            text.AppendLine(inv, $"  GAINED   {Name(gained)}  customer {gained.CustomerId}  at {Time(gained.TimeMs)}  because {Because(gained.Explanation)}");
        }

        foreach (var (was, now) in diff.Lost.Take(show))
        {
            var why = now is null ? "its conditions no longer hold" : $"now suppressed: {now.Reason} ({now.Detail})";
            text.AppendLine(inv, $"  LOST     {Name(was)}  customer {was.CustomerId}  at {Time(was.TimeMs)}  {why}");
        }

        foreach (var (was, now) in diff.Changed.Take(show))
        {
            var version = was.RuleVersion == now.RuleVersion ? string.Empty : $" -> v{now.RuleVersion}";
            var when = was.TimeMs == now.TimeMs ? Time(now.TimeMs) : $"{Time(was.TimeMs)} -> {Time(now.TimeMs)}";
            text.AppendLine(inv, $"  CHANGED  {Name(was)}{version}  customer {was.CustomerId}  at {when}  because {Because(now.Explanation)}");
        }

        var hidden = Math.Max(0, diff.Gained.Count - show) + Math.Max(0, diff.Lost.Count - show) + Math.Max(0, diff.Changed.Count - show);
        if (hidden > 0)
        {
            text.AppendLine(inv, $"  ... {hidden} more (raise --show)");
        }

        return text.ToString();
    }

    private static string Name(ReplayDecision d) => $"{d.RuleId} v{d.RuleVersion}";

    private static string Because(IReadOnlyList<ConditionTrace> explanation) =>
        string.Join("; ", explanation.Where(t => t.Result == true).Select(t => $"{t.Condition} ({t.Actual})"));

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
