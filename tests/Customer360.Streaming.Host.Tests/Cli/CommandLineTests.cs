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
