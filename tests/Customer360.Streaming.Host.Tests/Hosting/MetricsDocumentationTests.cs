using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Customer360.Streaming.Host.Tests.Hosting;

/// <summary>
/// Every metric family <c>/metrics</c> exports is documented with its Prometheus type and label values, the README
/// lists nothing that is not exported, and the dashboard plots only series that exist.
/// </summary>
public sealed partial class MetricsDocumentationTests
{
    /// <summary>One scrape shared by the tests of this class: the exporter's output does not change between them.</summary>
    private static readonly Lazy<Task<IReadOnlyDictionary<string, string>>> ExportedFamilies = new(async () =>
        PrometheusScrape.Families(await PrometheusScrape.OfEveryInstrumentAsync(CancellationToken.None))
            .Where(family => family.Key.StartsWith("c360_", StringComparison.Ordinal))
            .ToDictionary(StringComparer.Ordinal));

    private static readonly string[] ReadmeLines = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, "README.md"));

    [Fact]
    public async Task Counters_are_exported_as_prometheus_counters_with_the_total_suffix_and_histograms_with_their_unit()
    {
        var families = await ExportedFamilies.Value;

        Assert.Equal("counter", families["c360_records_processed_total"]);
        Assert.Equal("counter", families["c360_dead_letters_total"]);
        Assert.Equal("histogram", families["c360_event_to_output_latency_milliseconds"]);
        Assert.Equal("gauge", families["c360_consumer_lag"]);
        Assert.All(families.Where(f => f.Value == "counter"), f => Assert.EndsWith("_total", f.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runtimes_own_collection_and_compilation_counters_are_exported_beside_ours()
    {
        // A slow stream thread can be waiting on collections or sharing its cores with the JIT: /metrics must say so.
        var families = PrometheusScrape.Families(await PrometheusScrape.OfEveryInstrumentAsync(CancellationToken.None));

        Assert.Equal("counter", families.GetValueOrDefault("dotnet_gc_pause_time_seconds_total"));
        Assert.Equal("counter", families.GetValueOrDefault("dotnet_gc_collections_total"));
        Assert.Equal("counter", families.GetValueOrDefault("dotnet_jit_compilation_time_seconds_total"));
        Assert.Equal("counter", families.GetValueOrDefault("dotnet_gc_heap_total_allocated_bytes_total"));
    }

    [Fact]
    public async Task The_readme_documents_every_exported_family_with_its_type_and_nothing_else()
    {
        var families = await ExportedFamilies.Value;
        var documented = ReadmeLines.Select(line => MetricRow().Match(line)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);

        var wrongOrMissing = families.Where(f => !documented.TryGetValue(f.Key, out var type) || type != f.Value)
            .Select(f => $"{f.Key} ({f.Value})").ToList();
        var notExported = documented.Keys.Where(name => !families.ContainsKey(name)).ToList();

        Assert.True(wrongOrMissing.Count == 0, "README.md lacks or mistypes: " + string.Join(", ", wrongOrMissing));
        Assert.True(notExported.Count == 0, "README.md documents series /metrics does not export: " + string.Join(", ", notExported));
    }

    [Fact]
    public void The_readme_lists_every_label_value_the_processor_exports_for_enumerated_labels()
    {
        string Row(string metric) => ReadmeLines.Single(line => line.StartsWith($"| `{metric}`", StringComparison.Ordinal));

        var suppressed = Row("c360_triggers_suppressed_total");
        var reductions = Row("c360_context_reductions_total");

        Assert.All(Enum.GetValues<Domain.Triggers.SuppressionReason>(), reason =>
            Assert.Contains($"`{Domain.EnumNames.SnakeCase(reason)}`", suppressed, StringComparison.Ordinal));
        Assert.All(Enum.GetValues<Domain.Context.ReductionOutcome>(), outcome =>
            Assert.Contains($"`{outcome}`", reductions, StringComparison.Ordinal));
    }

    [Fact]
    public void The_help_text_of_the_reductions_counter_names_each_outcome_as_the_label_carries_it()
    {
        // The HELP line is what Prometheus shows beside the series; it listed snake_case outcomes the label never takes.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new PipelineMetrics(services.GetRequiredService<IMeterFactory>());

        Assert.All(Enum.GetValues<Domain.Context.ReductionOutcome>(), outcome =>
            Assert.Contains($"{outcome}", metrics.Reductions.Description, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_grafana_dashboard_plots_only_series_the_processor_exports()
    {
        var dashboard = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "monitoring", "grafana", "customer360.json"));
        var families = await ExportedFamilies.Value;

        var plotted = SeriesName().Matches(dashboard).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(plotted);
        Assert.All(plotted, name => Assert.Contains(name, families.Keys));
    }

    [GeneratedRegex(@"^\| `(?<name>c360_\w+)` \| (?<type>counter|gauge|histogram) \|")]
    private static partial Regex MetricRow();

    [GeneratedRegex(@"(?<name>c360_\w+?)(_bucket|_sum|_count)?\b")]
    private static partial Regex SeriesName();
}
