using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Demo;

/// <summary>The first command a new user runs, run as they would run it, in a non-interactive shell.</summary>
public sealed class DemoScriptTests
{
    [Fact]
    public async Task DemoScript_ThirtySecondsNonInteractive_ExitsZeroAndReportsEventsContextsAndTriggers()
    {
        if (ExternalTools.Find("redis-server") is null)
        {
            Assert.Skip(ExternalTools.InstallHint("redis-server"));
        }

        var configuration = RepositoryLayout.C360Dll.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var pagesPort = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var demo = ChildProcess.Start(
            "bash",
            [Path.Combine(RepositoryLayout.Root, "scripts", "demo.sh"), "--duration", "30", "--rate", "100", "--http-port", pagesPort],
            new Dictionary<string, string?> { ["CONFIGURATION"] = configuration });

        Assert.True(await demo.WaitForExitAsync(TimeSpan.FromMinutes(3)), "demo.sh did not finish: " + demo.AllOutput);
        Assert.True(demo.ExitCode == 0, demo.AllOutput);
        var produced = demo.StandardOutput.Single(l => l.Contains("events produced to", StringComparison.Ordinal));
        var consumed = demo.StandardOutput.Single(l => l.Contains("events consumed by the processor", StringComparison.Ordinal));
        Assert.Equal(Count(produced), Count(consumed));
        Assert.True(Count(produced) > 0, produced);
        Assert.Contains(demo.StandardOutput, l => l.Contains("result: OK", StringComparison.Ordinal));
        Assert.Contains(demo.StandardOutput, l => l.StartsWith($"[demo] web pages: http://127.0.0.1:{pagesPort}/ ", StringComparison.Ordinal));
        var contexts = demo.StandardOutput.Single(l => l.Contains("contexts in Redis:", StringComparison.Ordinal));
        Assert.True(Leading(contexts, "contexts in Redis:") > 0, contexts);
        var triggers = demo.StandardOutput.Single(l => l.Contains("  triggers: ", StringComparison.Ordinal));
        Assert.True(Leading(triggers, "triggers:") > 0, triggers);
        Assert.Contains(demo.StandardOutput, l => l.Contains("triggers by rule: ", StringComparison.Ordinal) && !l.EndsWith("none", StringComparison.Ordinal));
        Assert.Contains(demo.StandardOutput, l => System.Text.RegularExpressions.Regex.IsMatch(
            l, @"^\[demo\]   latency: event-to-trigger p50 \d+ ms p99 \d+ ms over \d+ triggers; event-to-redis p50 \d+ ms p99 \d+ ms$"));
        Assert.Contains(demo.StandardOutput, l => System.Text.RegularExpressions.Regex.IsMatch(
            l, @"^\[demo\]   commits in the live minute: p50 \d+\.\d ms p99 \d+\.\d ms over [1-9]\d* commits"));

        // The journeys reach several rules, not one.
        var byRule = demo.StandardOutput.Single(l => l.Contains("triggers by rule: ", StringComparison.Ordinal));
        Assert.True(byRule.Split(", ").Length >= 3, byRule);
        Assert.Contains(demo.StandardOutput, l => l.Contains("sample context cust-", StringComparison.Ordinal) && l.Contains("\"contextId\"", StringComparison.Ordinal));

        // Not a terminal, so the live view comes as plain progress lines with what it would show.
        var progress = demo.StandardOutput.Where(l => l.StartsWith("[demo] t=", StringComparison.Ordinal) && l.Contains("events/s", StringComparison.Ordinal)).ToList();
        Assert.True(progress.Count >= 3, demo.AllOutput);
        Assert.All(progress, l => Assert.Matches(@"events/s .*\| lag \d+ .*\| contexts in Redis \d+ \| in store .*\| triggers \d+ fired, \d+ held back", l));
        Assert.Contains(progress, l => l.Contains("| latest: ", StringComparison.Ordinal));
        Assert.DoesNotContain(demo.AllOutput, "\u001b[", StringComparison.Ordinal);
    }

    /// <summary>The number right after <paramref name="label"/> in a summary line.</summary>
    private static long Leading(string line, string label) =>
        long.Parse(line[(line.IndexOf(label, StringComparison.Ordinal) + label.Length)..].TrimStart().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static long Count(string line) => long.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
