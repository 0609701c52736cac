using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>Every instrument the processor exports is documented, and the dashboard only plots series that exist.</summary>
public sealed partial class MetricsDocumentationTests
{
    [Fact]
    public void The_readme_documents_every_exported_metric_by_its_prometheus_name()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "README.md"));

        var exported = ExportedNames();
        Assert.Contains("customer360_streaming_processor_c360_consumer_lag", exported);
        Assert.Contains("customer360_streaming_context_c360_redis_event_to_context_latency", exported);

        var undocumented = exported.Where(name => !readme.Contains($"`{name}`", StringComparison.Ordinal)).ToList();

        Assert.True(undocumented.Count == 0, "README.md lacks: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void The_readme_lists_every_label_value_the_processor_exports_for_enumerated_labels()
    {
        var rows = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, "README.md"));
        string Row(string metric) => rows.Single(line => line.StartsWith($"| `{metric}`", StringComparison.Ordinal));

        var suppressed = Row("customer360_streaming_context_c360_triggers_suppressed");
        var reductions = Row("customer360_streaming_context_c360_context_reductions");

        Assert.All(Enum.GetValues<Domain.Triggers.SuppressionReason>(), reason =>
            Assert.Contains($"`{Domain.EnumNames.SnakeCase(reason)}`", suppressed, StringComparison.Ordinal));
        Assert.All(Enum.GetValues<Domain.Context.ReductionOutcome>(), outcome =>
            Assert.Contains($"`{outcome}`", reductions, StringComparison.Ordinal));
    }

    [Fact]
    public void The_grafana_dashboard_plots_only_series_the_processor_exports()
    {
        var dashboard = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "monitoring", "grafana", "customer360.json"));
        var exported = ExportedNames();

        var plotted = SeriesName().Matches(dashboard).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(plotted);
        Assert.All(plotted, name => Assert.Contains(name, exported));
    }

    /// <summary>Names as prometheus-net exports them: meter and instrument, lower case, dots as underscores.</summary>
    private static HashSet<string> ExportedNames()
    {
        string[] meters = [StreamsMetrics.MeterName, PipelineMetrics.MeterName, ProcessorMetrics.MeterName];
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (meters.Contains(instrument.Meter.Name))
                {
                    lock (names)
                    {
                        names.Add($"{instrument.Meter.Name}.{instrument.Name}".ToLowerInvariant().Replace('.', '_'));
                    }
                }
            },
        };
        listener.Start();
        using (new StreamsMetrics())
        using (new PipelineMetrics())
        using (new ProcessorMetrics(() => [], TimeProvider.System))
        {
            lock (names)
            {
                return [.. names];
            }
        }
    }

    [GeneratedRegex(@"(?<name>customer360_streaming_\w+?)(_bucket|_sum|_count)?\b")]
    private static partial Regex SeriesName();
}
