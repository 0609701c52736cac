using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Scripts;

/// <summary>
/// What the long-running scripts (soak-state.sh, hostile-corpus.sh) print when a test run they started failed. They
/// run under <c>set -euo pipefail</c>: a soak whose <c>dotnet test</c> failed without a failed assertion (a test host
/// that crashed or was aborted) once ended with exit 1 and no word of why, because its grep for "Error Message" found
/// nothing and ended the script.
/// </summary>
public sealed class ScriptFailureReportTests : IDisposable
{
    private readonly string _log = Path.Combine(Path.GetTempPath(), $"c360-test-log-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_log);

    [Fact]
    public async Task A_failed_assertion_is_shown_with_the_lines_of_its_message()
    {
        await File.WriteAllLinesAsync(_log, ["Starting test execution", "  Failed Soak [2 m]", "  Error Message:", "   Assert.Equal() Failure: Values differ", "Expected: 1000", "Actual:   998", "Failed!  - Failed: 1"], TestContext.Current.CancellationToken);

        var output = await ShowTestFailureAsync();

        Assert.Contains("Assert.Equal() Failure", output, StringComparison.Ordinal);
        Assert.Contains("Actual:   998", output, StringComparison.Ordinal);
        Assert.EndsWith("the script went on", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_failed_without_an_assertion_shows_the_end_of_its_log_and_the_script_goes_on()
    {
        await File.WriteAllLinesAsync(_log, [.. Enumerable.Range(1, 30).Select(i => $"line {i}"), "The active test run was aborted. Reason: Test host process crashed"], TestContext.Current.CancellationToken);

        var output = await ShowTestFailureAsync();

        Assert.Contains("no failed assertion", output, StringComparison.Ordinal);
        Assert.Contains("Test host process crashed", output, StringComparison.Ordinal);
        Assert.Contains("line 12", output, StringComparison.Ordinal);
        Assert.DoesNotContain("line 11", output, StringComparison.Ordinal);
        Assert.EndsWith("the script went on", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1, Duration: 2 m 9 s - Customer360.Streaming.IntegrationTests.dll (net10.0)", true)]
    [InlineData("Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1, Duration: 2 m 9 s - Customer360.Streaming.IntegrationTests.dll (net10.0)", false)]
    [InlineData("No test matches the given testcase filter `FullyQualifiedName~Soak`", false)]
    [InlineData("Passed!  - Failed:     0, Passed:     0, Skipped:     1, Total:     1, Duration: 1 ms - Customer360.Streaming.IntegrationTests.dll (net10.0)", false)]
    [InlineData("Test Run Successful.\nTotal tests: 1\n     Passed: 1\n Total time: 2.6 Seconds", true)]
    [InlineData("Test Run Failed.\nTotal tests: 2\n     Passed: 1\n     Failed: 1\n Total time: 2.6 Seconds", false)]
    // A run stopped from outside (SIGTERM to dotnet test) ended with exit 0 and no result line: the soak said every context was kept.
    [InlineData("Kafka for tests: embedded librdkafka mock cluster at 127.0.0.1:38501", false)]
    public async Task A_run_passes_only_when_its_log_reports_a_test_passed_and_none_failed(string lastLine, bool passed)
    {
        await File.WriteAllLinesAsync(_log, ["Starting test execution, please wait...", lastLine], TestContext.Current.CancellationToken);

        var output = await AsTheScriptsRunAsync($"if test_run_passed '{_log}'; then echo passed; else echo not passed; fi");

        Assert.Equal(passed ? "passed" : "not passed", output[^1]);
    }

    private async Task<string> ShowTestFailureAsync() =>
        string.Join('\n', await AsTheScriptsRunAsync($"show_test_failure '{_log}' 20; echo 'the script went on'"));

    /// <summary>Runs <paramref name="commands"/> as the scripts run the helpers: strict mode, common.sh sourced. Returns what they printed.</summary>
    private static async Task<IReadOnlyList<string>> AsTheScriptsRunAsync(string commands)
    {
        var common = Path.Combine(RepositoryLayout.Root, "scripts", "lib", "common.sh");
        using var bash = await ChildProcess.RunAsync("bash", ["-c", $"set -euo pipefail; source '{common}'; {commands}"], TimeSpan.FromSeconds(30));
        Assert.True(bash.ExitCode == 0, bash.AllOutput);
        return bash.StandardOutput;
    }
}
