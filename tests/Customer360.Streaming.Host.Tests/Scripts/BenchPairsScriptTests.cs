using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Scripts;

/// <summary>
/// What <c>scripts/bench-pairs.sh</c> says before it spends minutes on drains: a comparison it cannot make is refused
/// at once, naming what is wrong, and the results file it rewrites while it runs is left as it was.
/// </summary>
public sealed class BenchPairsScriptTests
{
    private static readonly string Script = Path.Combine(RepositoryLayout.Root, "scripts", "bench-pairs.sh");
    private static readonly string Results = Path.Combine(RepositoryLayout.Root, "bench", "results", "EndToEnd.md");

    [Theory]
    [InlineData(new[] { "HEAD" }, "usage: ./scripts/bench-pairs.sh")]
    [InlineData(new[] { "--pairs", "0", "HEAD", "HEAD~1" }, "--pairs takes a positive whole number, got '0'")]
    [InlineData(new[] { "--threads", "2", "HEAD", "HEAD~1" }, "unknown option '--threads'")]
    [InlineData(new[] { "no-such-revision-or-folder", "HEAD" }, "'no-such-revision-or-folder' is neither a folder holding c360.dll nor a git revision")]
    public async Task A_comparison_it_cannot_make_is_refused_with_the_reason(string[] arguments, string reason)
    {
        var resultsBefore = await File.ReadAllTextAsync(Results, TestContext.Current.CancellationToken);

        using var run = await ChildProcess.RunAsync("bash", [Script, .. arguments], TimeSpan.FromSeconds(60));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reason, run.AllOutput, StringComparison.Ordinal);
        Assert.Equal(resultsBefore, await File.ReadAllTextAsync(Results, TestContext.Current.CancellationToken));
    }
}
