using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Host.Cli;

/// <summary>
/// <c>c360 lag [--group ID]</c> (the processor's group by default): per-partition committed offset, high watermark, lag in records and in seconds, and a
/// Burrow-style status per partition and for the group, from a few samples (or continuously with <c>--watch</c>).
/// </summary>
internal static class LagCommand
{
    public static Command Create()
    {
        var group = new Option<string>("--group")
        {
            Description = "Consumer group to judge (default: the processor's, C360__Kafka__ApplicationId, else c360).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("C360__Kafka__ApplicationId") ?? "c360",
        };
        var topics = new Option<string?>("--topics") { Description = "Comma-separated topics (default: the input, table and repartition topics of topics.yaml)." };
        group.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(value))
            {
                r.AddError("--group must name a consumer group.");
            }
            else if (value.Any(char.IsControl))
            {
                // The report prints the group: a control character would reach the terminal as a command.
                r.AddError("--group must not contain control characters.");
            }
        });
        topics.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } names && TopicNames(names).Count == 0)
            {
                r.AddError("--topics must name at least one topic.");
            }
        });
        var bootstrap = CommonOptions.BootstrapServers();
        var watch = new Option<bool>("--watch") { Description = "Keep sampling and reprint every interval until interrupted." };
        var interval = new Option<int>("--interval") { Description = "Seconds between samples.", DefaultValueFactory = _ => 5 };
        interval.Validators.Add(r => CommonOptions.RequireRange(r, "--interval", 1, 3_600));
        var samples = new Option<int>("--samples") { Description = "Samples before the one-shot report (a status needs a window).", DefaultValueFactory = _ => 3 };
        samples.Validators.Add(r => CommonOptions.RequireRange(r, "--samples", 1, 100));
        var failOn = new Option<string?>("--fail-on")
        {
            Description = "Exit 1 when the group's status is this or worse, in the order WARN, REWIND, STALL, STOP (for cron and pipelines).",
        };
        failOn.Validators.Add(r =>
        {
            if (!TryFailOn(r.GetValueOrDefault<string?>(), out _))
            {
                r.AddError("--fail-on must be warn, rewind, stall or stop.");
            }
        });
        var topologyDir = CommonOptions.TopologyDirectory();
        var command = new Command("lag", "Lag of a consumer group per partition, in records and seconds, with Burrow-style statuses (OK, WARN, REWIND, STALL, STOP).")
        {
            group, topics, bootstrap, watch, interval, samples, failOn, topologyDir,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(failOn) is not null && r.GetValue(watch))
            {
                r.AddError("--fail-on judges the one-shot report; leave out --watch, which reports until interrupted.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CommonOptions.TryBootstrapServers(parse.GetValue(bootstrap), out var servers))
            {
                return ExitCodes.InvalidConfiguration;
            }

            List<string> topicList;
            if (parse.GetValue(topics) is { } explicitTopics)
            {
                topicList = TopicNames(explicitTopics);
            }
            else if (CommonOptions.TryLoadCatalog(parse.GetValue(topologyDir), out var catalog))
            {
                topicList = [.. catalog.Topics.Where(t => t.Role is TopicRole.Input or TopicRole.Table || t.Name.EndsWith("-repartition", StringComparison.Ordinal)).Select(t => t.Name)];
            }
            else
            {
                return ExitCodes.InvalidConfiguration;
            }

            if (!CommonOptions.TryKafkaOptions(servers, applicationId: null, out var kafka))
            {
                return ExitCodes.InvalidConfiguration;
            }

            // A group is any name Kafka takes, not only an application id: it names the lag's clients unchecked, as before.
            kafka.ApplicationId = parse.GetValue(group)!;
            var every = TimeSpan.FromSeconds(parse.GetValue(interval));
            try
            {
                using var monitor = new GroupLagMonitor(kafka, parse.GetValue(group)!, topicList, TimeProvider.System);
                var interactive = !Console.IsOutputRedirected;
                for (var taken = 1; ; taken++)
                {
                    var report = await monitor.SampleAsync(cancellationToken);
                    if (taken == 1 && parse.GetValue(topics) is not null && report.TopicsNotOnCluster.Count > 0)
                    {
                        // Named by the user: a typo, which the report would otherwise leave out without a word. (One
                        // deleted while --watch runs is listed under the table instead.)
                        await Console.Error.WriteLineAsync($"--topics names {string.Join(", ", report.TopicsNotOnCluster)}, which {(report.TopicsNotOnCluster.Count == 1 ? "is" : "are")} not on the cluster.");
                        return ExitCodes.InvalidConfiguration;
                    }

                    var last = !parse.GetValue(watch) && taken >= parse.GetValue(samples);
                    if (parse.GetValue(watch) || last)
                    {
                        // Interactive: redraw in place; piped: one report after another, readable in a log.
                        await Console.Out.WriteAsync((interactive && parse.GetValue(watch) ? "\u001b[H\u001b[2J" : string.Empty) + Render(report));
                    }

                    if (last)
                    {
                        return await Verdict(report, parse.GetValue(failOn));
                    }

                    await Task.Delay(every, TimeProvider.System, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
            catch (KafkaException ex)
            {
                await Console.Error.WriteLineAsync($"lag failed: {KafkaFailure.Describe(ex, servers)}");
                return ExitCodes.RuntimeFailure;
            }
        });
        return command;
    }

    /// <summary>The status <c>--fail-on</c> names (<see cref="LagStatus.Ok"/> when it is left out), or false for one it cannot name.</summary>
    private static bool TryFailOn(string? text, out LagStatus threshold)
    {
        threshold = LagStatus.Ok;
        return text is null || (EnumNames.TryParseName(text, out threshold) && threshold != LagStatus.Ok);
    }

    /// <summary>Success, unless <c>--fail-on</c> named a status the group's is at or past; then says so and exits 1.</summary>
    private static async Task<int> Verdict(GroupLagReport report, string? failOn)
    {
        if (!TryFailOn(failOn, out var threshold) || threshold == LagStatus.Ok || report.Status < threshold)
        {
            return ExitCodes.Success;
        }

        await Console.Error.WriteLineAsync($"exit 1: the group is {Name(report.Status)}, at least {Name(threshold)} (--fail-on)");
        return ExitCodes.RuntimeFailure;
    }

    private static List<string> TopicNames(string commaSeparated) =>
        [.. commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    internal static string Render(GroupLagReport report)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var members = report.HasMembers switch { true => "has members", false => "no members", _ => "members unknown" };
        text.AppendLine(inv, $"group {report.GroupId}: {Name(report.Status)}  ({report.Samples} samples; {members}; total lag {report.Partitions.Sum(p => p.Lag):N0})");
        var width = Math.Max(5, report.Partitions.Select(p => p.Partition.Topic.Length).DefaultIfEmpty(5).Max());
        text.AppendLine(inv, $"  {"topic".PadRight(width)}  {"part",4}  {"committed",10}  {"high-wm",10}  {"lag",8}  {"lag-s",8}  status");
        foreach (var p in report.Partitions)
        {
            var committed = p.Committed?.ToString(inv) ?? "-";
            var seconds = p.LagSeconds?.ToString("0.0", inv) ?? "?";
            text.AppendLine(inv, $"  {p.Partition.Topic.PadRight(width)}  {p.Partition.Partition.Value,4}  {committed,10}  {p.HighWatermark,10}  {p.Lag,8}  {seconds,8}  {Name(p.Status)}");
        }

        if (report.Partitions.Where(p => p.DeletedUnread > 0).ToList() is { Count: > 0 } deleted)
        {
            var named = deleted.Select(p => $"{p.Partition.Topic}[{p.Partition.Partition.Value}] {p.DeletedUnread} records (committed {p.Committed}, the log starts at {p.LogStart})");
            text.AppendLine(inv, $"  deleted by the broker before the group read them: {string.Join("; ", named)}; the lag counts them, but they cannot be read");
        }

        if (report.NeverCommitted)
        {
            text.AppendLine("  the group has committed no offset on these topics: a misspelt --group, a group that has not committed yet, or a processor");
            text.AppendLine("  under exactly_once_v2 on the embedded broker, which keeps no offsets committed in a transaction (the processor's own");
            text.AppendLine("  lag is on its overview page and in its c360_consumer_lag and c360_consumer_lag_seconds metrics)");
        }

        if (report.TopicsNotOnCluster.Count > 0)
        {
            text.AppendLine(inv, $"  not on the cluster (not created yet?): {string.Join(", ", report.TopicsNotOnCluster)}");
        }

        return text.ToString();
    }

    private static string Name(LagStatus status) => EnumNames.SnakeCase(status).ToUpperInvariant();
}
