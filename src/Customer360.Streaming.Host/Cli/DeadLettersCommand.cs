using System.CommandLine;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 dead-letters summary|replay</c>: count the dead letters by reason and input, and, once their cause is
/// mended (a schema registered, a producer's partitioner fixed), send the chosen ones back to the input they entered by.
/// </summary>
internal static class DeadLettersCommand
{
    /// <summary>Longer than a replayed record may wait for its acknowledgement, so every send has its answer by then.</summary>
    private static readonly TimeSpan AcknowledgementWait = TimeSpan.FromMilliseconds(DeadLetterReplay.DeliveryTimeoutMs) + TimeSpan.FromSeconds(10);

    public static Command Create() => new("dead-letters", "The dead-letter topic: what failed and why, and replaying it once the cause is mended.") { Summary(), Replay() };

    private static Command Summary()
    {
        var shared = new SharedOptions();
        var command = new Command("summary", "Count the dead letters by error class, stage and input topic (never a key or a value), and how many a replay could send.");
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => shared.RunAsync(parse, "summary", (kafka, catalog, topic) =>
        {
            var tally = new DeadLetterTally(new DeadLetterReplayTargets(catalog));
            DeadLetterScan.Run(kafka, topic, (_, letter) => tally.Add(letter), Progress("summary"), TimeProvider.System, cancellationToken);
            foreach (var line in tally.Lines(topic))
            {
                Console.Out.WriteLine(line);
            }

            return Interrupted(cancellationToken) ? ExitCodes.RuntimeFailure : ExitCodes.Success;
        }));
        return command;
    }

    private static Command Replay()
    {
        var shared = new SharedOptions();
        var classes = new Option<string>("--class")
        {
            Description = "Comma-separated error classes to replay, as the summary names them (e.g. UnknownSchemaId,MisPartitionedKey).",
            Required = true,
        };
        classes.Validators.Add(r =>
        {
            if (CommonOptions.Parsed<string>(r, out var value) && ErrorClasses(value).Count == 0)
            {
                r.AddError("--class must name at least one error class.");
            }
        });
        var originTopic = new Option<string?>("--origin-topic") { Description = "Only dead letters of records that entered by this topic." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be sent and where; send nothing." };
        var command = new Command("replay", "Send the chosen dead letters back as the original records to the input they entered by (a routed event to its channel's customer-keyed topic).")
        {
            classes, originTopic, dryRun,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => shared.RunAsync(parse, "replay", (kafka, catalog, topic) =>
        {
            var targets = new DeadLetterReplayTargets(catalog);
            if (parse.GetValue(originTopic) is { } origin && !targets.IsEntrance(origin))
            {
                Console.Error.WriteLine($"--origin-topic {origin} is not an input or table topic of topics.yaml, so no dead letter entered by it.");
                return ExitCodes.InvalidConfiguration;
            }

            ContextOptions context;
            try
            {
                // The processor's grace, from the same C360__ variables it reads, to say which replayed events it may judge late.
                context = SettingsSection.Read(SettingsSection.ProcessorEnvironment(), ContextOptions.SectionName, new ContextOptions());
            }
            catch (OptionsValidationException ex)
            {
                Console.Error.WriteLine(SettingsSection.Describe(ex.Failures));
                return ExitCodes.InvalidConfiguration;
            }

            var selection = new DeadLetterSelection(ErrorClasses(parse.GetValue(classes)!), parse.GetValue(originTopic));
            var grace = new ReplayGrace(TimeSpan.FromSeconds(context.GraceSeconds), TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            using var replay = new DeadLetterReplay(targets, selection, parse.GetValue(dryRun), grace);
            replay.Open(kafka);
            DeadLetterScan.Run(kafka, topic, replay.Add, Progress("replay"), TimeProvider.System, cancellationToken);
            var acknowledged = replay.Finish(AcknowledgementWait);
            foreach (var line in replay.Lines())
            {
                Console.Out.WriteLine(line);
            }

            return acknowledged && !Interrupted(cancellationToken) ? ExitCodes.Success : ExitCodes.RuntimeFailure;
        }));
        return command;
    }

    /// <summary>Whether the scan was stopped (SIGINT, SIGTERM) before the topic's end; says so, since the counts above cover only part of it.</summary>
    private static bool Interrupted(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            Console.Out.WriteLine("interrupted: the counts cover only the dead letters read before the signal");
        }

        return cancellationToken.IsCancellationRequested;
    }

    private static Action<string> Progress(string verb) => line => Console.Out.WriteLine($"[{verb}] {line}");

    private static HashSet<string> ErrorClasses(string? list) =>
        [.. (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The options both verbs take, and the checks and error handling around their work.</summary>
    private sealed class SharedOptions
    {
        private readonly Option<string?> _bootstrap = CommonOptions.BootstrapServers();
        private readonly Option<string?> _topologyDirectory = CommonOptions.TopologyDirectory();
        private readonly Option<string> _applicationId = CommonOptions.ApplicationId("Names the tool's Kafka clients");

        public void AddTo(Command command)
        {
            command.Options.Add(_bootstrap);
            command.Options.Add(_topologyDirectory);
            command.Options.Add(_applicationId);
        }

        public Task<int> RunAsync(ParseResult parse, string verb, Func<KafkaOptions, TopicCatalog, string, int> work)
        {
            if (!CommonOptions.TryBootstrapServers(parse.GetValue(_bootstrap), out var servers)
                || !CommonOptions.TryLoadCatalog(parse.GetValue(_topologyDirectory), out var catalog)
                || !CommonOptions.TryKafkaOptions(servers, parse.GetValue(_applicationId), out var kafka))
            {
                return Task.FromResult(ExitCodes.InvalidConfiguration);
            }

            if (catalog.WithRole(TopicRole.DeadLetter).SingleOrDefault() is not { } deadLetters)
            {
                Console.Error.WriteLine("topics.yaml declares no topic with role: deadletter.");
                return Task.FromResult(ExitCodes.InvalidConfiguration);
            }

            try
            {
                return Task.FromResult(work(kafka, catalog, deadLetters.Name));
            }
            catch (TopologyException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return Task.FromResult(ExitCodes.InvalidConfiguration);
            }
            catch (Exception ex) when (ex is InvalidOperationException or Confluent.Kafka.KafkaException)
            {
                Console.Error.WriteLine($"dead-letters {verb} failed: {KafkaFailure.Describe(ex, servers)}");
                return Task.FromResult(ExitCodes.RuntimeFailure);
            }
        }
    }
}
