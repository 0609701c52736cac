using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("broker --brokers 0", "--brokers must be between 1 and 10 (was 0)")]
    [InlineData("demo --duration 0", "--duration must be between 1 and 3600 (was 0)")]
    [InlineData("demo --rate 999999", "--rate must be between 1 and 10000 (was 999999)")]
    public void Parse_OutOfRangeOption_ReportsOptionAndValue(string commandLine, string expected)
    {
        var result = C360Cli.Create().Parse(commandLine);

        Assert.Contains(result.Errors, e => e.Message.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownVerb_IsAnError()
    {
        Assert.NotEmpty(C360Cli.Create().Parse("frobnicate").Errors);
    }
}

/// <summary>Redirects the process's standard error, so it runs alone.</summary>
[CollectionDefinition(nameof(ConsoleRedirection), DisableParallelization = true)]
public sealed class ConsoleRedirection;

[Collection(nameof(ConsoleRedirection))]
public sealed class RulesCommandTests
{
    [Fact]
    public async Task Validate_InvalidFile_ExitsWith2AndListsEveryError()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("c360-rules-").FullName, "triggers.yaml");
        await File.WriteAllTextAsync(file, """
            rules:
              - id: broken
                version: 1
                description: two mistakes
                on: [beacon.enter]
                when: relationship.tier > 3
                channel: push
                priority: 10
                expiry: 10m
                cooldown: forever
                topic: c360.triggers.v1
            """, TestContext.Current.CancellationToken);
        var errors = new StringWriter();
        var originalError = Console.Error;
        Console.SetError(errors);
        try
        {
            var exitCode = await C360Cli.Create().Parse(["rules", "validate", file]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(2, exitCode);
        }
        finally
        {
            Console.SetError(originalError);
        }

        Assert.Contains("rules[0] 'broken': 'when': column 19: cannot compare text with a number using '>'", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("rules[0] 'broken': 'cooldown': 'forever' is not a duration", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ShippedFile_Succeeds()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "topology", "triggers.yaml");

        var exitCode = await C360Cli.Create().Parse(["rules", "validate", file]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
    }
}
