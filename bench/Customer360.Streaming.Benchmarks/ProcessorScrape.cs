using System.Globalization;
using System.Text.RegularExpressions;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// One scrape of the processor's <c>/metrics</c>, read as sums: a counter's or a histogram sum's samples added up,
/// altogether or by one label. Two scrapes, at a drain's start and end, say where the stream threads' wall-clock time
/// went meanwhile (<c>c360_stream_thread_time_seconds_total</c> by phase, <c>c360_commit_step_duration_milliseconds_sum</c>
/// by step) and what the runtime's collections and JIT took (the <c>dotnet_…</c> families): CPU per input cannot show
/// a thread that waits.
/// </summary>
internal sealed class ProcessorScrape
{
    private readonly string _text;

    private ProcessorScrape(string text) => _text = text;

    public static async Task<ProcessorScrape> ScrapeAsync(HttpClient http) =>
        new(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    /// <summary>The samples of <paramref name="metric"/> added up by the value of <paramref name="label"/> (samples without it are left out).</summary>
    public SortedDictionary<string, double> SumBy(string metric, string label)
    {
        var labelValue = new Regex($@"\b{Regex.Escape(label)}=""(?<value>[^""]*)""");
        var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (labels, sample) in Samples(metric))
        {
            if (labelValue.Match(labels) is { Success: true } found)
            {
                var value = found.Groups["value"].Value;
                sums[value] = sums.GetValueOrDefault(value) + sample;
            }
        }

        return sums;
    }

    /// <summary>Every sample of <paramref name="metric"/> added up.</summary>
    public double Total(string metric) => Samples(metric).Sum(s => s.Value);

    /// <summary>Each sample line of <paramref name="metric"/>: its labels (empty without braces) and its value.</summary>
    private IEnumerable<(string Labels, double Value)> Samples(string metric) =>
        Regex.Matches(_text, $@"^{Regex.Escape(metric)}(\{{(?<labels>[^}}]*)\}})? (?<sample>[0-9.eE+-]+)", RegexOptions.Multiline)
            .Select(m => (m.Groups["labels"].Value, double.Parse(m.Groups["sample"].Value, CultureInfo.InvariantCulture)));

    /// <summary>
    /// "42 collections (gen0 40, gen1 2), paused 0.31 s (4 % of the drain); 1.20 s compiling 3,100 methods; 2,100 MB
    /// allocated": what the runtime's own meter counted between <paramref name="start"/> and <paramref name="end"/>, a
    /// drain of <paramref name="drained"/>.
    /// </summary>
    public static string DescribeRuntime(ProcessorScrape start, ProcessorScrape end, TimeSpan drained)
    {
        double Delta(string metric) => end.Total(metric) - start.Total(metric);
        var collections = Difference(start.SumBy("dotnet_gc_collections_total", "gc_heap_generation"), end.SumBy("dotnet_gc_collections_total", "gc_heap_generation"));
        if (collections.Count == 0)
        {
            return "(not reported)";
        }

        var paused = Delta("dotnet_gc_pause_time_seconds_total");
        var byGeneration = string.Join(", ", collections.Where(c => c.Value > 0).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:0}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{collections.Values.Sum():0} collections ({byGeneration}), paused {paused:0.00} s ({100 * paused / drained.TotalSeconds:0} % of the drain); "
            + $"{Delta("dotnet_jit_compilation_time_seconds_total"):0.00} s compiling {Delta("dotnet_jit_compiled_methods_total"):N0} methods; "
            + $"{Delta("dotnet_gc_heap_total_allocated_bytes_total") / (1 << 20):N0} MB allocated");
    }

    /// <summary>
    /// "process 67 %, commit 20 %, poll 13 % of 7.1 s; commit steps: prepare_changelogs 8 %, flush_outputs 5 %": each
    /// phase's share of the stream threads' time between <paramref name="start"/> and <paramref name="end"/>, and each
    /// commit step's share of the same time.
    /// </summary>
    public static string DescribeThreadTime(ProcessorScrape start, ProcessorScrape end)
    {
        var phases = Difference(start.SumBy("c360_stream_thread_time_seconds_total", "phase"), end.SumBy("c360_stream_thread_time_seconds_total", "phase"));
        var total = phases.Values.Sum();
        if (total <= 0)
        {
            return "(not reported)";
        }

        var steps = Difference(start.SumBy("c360_commit_step_duration_milliseconds_sum", "step"), end.SumBy("c360_commit_step_duration_milliseconds_sum", "step"));
        // Shares that round to 0 % (restore and wall-clock punctuations on a drain) are left out.
        string Shares(IEnumerable<KeyValuePair<string, double>> seconds) => string.Join(", ", seconds
            .Where(s => s.Value / total >= 0.005)
            .OrderByDescending(s => s.Value)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {100 * s.Value / total:0} %")));
        var byPhase = Shares(phases);
        var bySteps = Shares(steps.Select(s => KeyValuePair.Create(s.Key, s.Value / 1000)));
        return string.Create(CultureInfo.InvariantCulture, $"{byPhase} of {total:0.0} s") + (bySteps.Length > 0 ? $"; commit steps: {bySteps}" : string.Empty);
    }

    private static SortedDictionary<string, double> Difference(SortedDictionary<string, double> start, SortedDictionary<string, double> end) =>
        new(end.ToDictionary(e => e.Key, e => e.Value - start.GetValueOrDefault(e.Key)), StringComparer.Ordinal);
}
