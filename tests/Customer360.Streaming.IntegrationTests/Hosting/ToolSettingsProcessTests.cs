using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Hosting;

/// <summary>
/// The tools that take the processor's <c>C360__</c> settings from the environment (a rule test and the offer evaluation
/// replay with its context and trigger settings, the dead-letter replay its grace period, the schema commands use its
/// registry settings, the demo runs the processor) check them as <c>c360 run</c> does, and say what is wrong instead of ending with an unhandled exception;
/// a bad command-line option is invalid configuration too (exit code 2).
/// </summary>
public sealed class ToolSettingsProcessTests(RedisServerFixture redis)
{
    [Theory]
    [InlineData("rules-test", "C360__Context__GraceSeconds", "ten minutes", "Context:GraceSeconds must be a whole number (was 'ten minutes')")]
    [InlineData("rules-test", "C360__Triggers__DailyCap", "0", "Triggers:DailyCap must be between 1 and 100.")]
    [InlineData("rules-test", "C360__Context__GraceSecond", "60", "Context:GraceSecond is not a setting (did you mean Context:GraceSeconds?)")]
    [InlineData("evaluate", "C360__Triggers__WallClockTimers", "sometimes", "Triggers:WallClockTimers must be true or false (was 'sometimes')")]
    [InlineData("schemas-check", "C360__SchemaRegistry__MaxRetries", "three", "SchemaRegistry:MaxRetries must be a whole number (was 'three')")]
    [InlineData("dead-letters-replay", "C360__Context__GraceSeconds", "-1", "Context:GraceSeconds must be between 0 and 86400.")]
    public async Task A_tool_given_a_wrong_processor_setting_exits_with_code_2_naming_it(string tool, string variable, string value, string expected)
    {
        // Each read the variables with the binder alone: text for a number ended it with an unhandled exception and its
        // stack (exit code 1 or 134), and an out-of-range value or a misspelt key was taken without a word.
        var rules = Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml");
        string[] arguments = tool switch
        {
            "rules-test" => ["rules", "test", "--rules", rules, "--events", Path.Combine(TestScratch.Run.NewDirectory("c360-tool-"), "none.jsonl")],
            "evaluate" => ["decisioning", "evaluate", "--customers", "10", "--days", "1"],
            "dead-letters-replay" => ["dead-letters", "replay", "--class", "InvalidValue", "--dry-run", "--bootstrap-servers", "127.0.0.1:9"],
            _ => ["schemas", "check", "--registry-url", "http://127.0.0.1:9"],
        };

        using var process = C360Program.Start(arguments, new Dictionary<string, string?> { [variable] = value });

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit");
        Assert.True(process.ExitCode == 2, process.AllOutput);
        var error = string.Join(Environment.NewLine, process.StandardError);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_line_option_out_of_range_exits_with_code_2_naming_it()
    {
        // The program exited 1, the code of a runtime failure.
        using var process = C360Program.Start(["simulate", "--customers", "0", "--bootstrap-servers", "127.0.0.1:9", "--registry-url", "http://127.0.0.1:9"]);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit");
        Assert.True(process.ExitCode == 2, process.AllOutput);
        Assert.Contains(process.StandardError, l => l.Contains("--customers must be between 1 and 100000 (was 0).", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("C360__Triggers__DailyCap", "0", "Triggers:DailyCap must be between 1 and 100.")]
    [InlineData("C360__Context__GraceSeconds", "ten minutes", "Context:GraceSeconds must be a whole number (was 'ten minutes')")]
    public async Task The_demo_given_a_wrong_processor_setting_exits_with_code_2_naming_it(string variable, string value, string expected)
    {
        // The demo's processor said what was wrong, and then the demo asked the stopped host for its services: an
        // unhandled ObjectDisposedException and exit code 1.
        redis.SkipUnlessAvailable();

        using var process = C360Program.Start(["demo", "--redis", redis.ConnectionString, "--duration", "1", "--plain"], new Dictionary<string, string?> { [variable] = value });

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(120)), "did not exit");
        Assert.True(process.ExitCode == 2, process.AllOutput);
        var error = string.Join(Environment.NewLine, process.StandardError);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }
}
