using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Benchmarks;

/// <summary>The result file of a runner that measures outside BenchmarkDotNet: a title, what was run, and its lines.</summary>
internal static class MeasuredLines
{
    /// <summary>Writes <c>bench/results/&lt;name&gt;.md</c> and says so.</summary>
    public static async Task WriteAsync(string name, string title, string setup, IEnumerable<string> lines)
    {
        var results = Path.Combine(RepositoryLayout.Root, "bench", "results", name + ".md");
        await File.WriteAllTextAsync(results, string.Join('\n', [
            "# " + title,
            string.Empty,
            setup,
            string.Empty,
            .. lines.SelectMany(l => l.Split(Environment.NewLine)).Select(l => "    " + l),
            string.Empty]));
        Console.WriteLine("wrote " + results);
    }
}
