using Customer360.Streaming.Host.Cli;

namespace Customer360.Streaming.Host.Tests.Cli;

/// <summary>
/// Runs <c>c360</c> in this process with its standard output and error captured. The console is the process's, so
/// the tests that do so run alone (their classes join this collection).
/// </summary>
[CollectionDefinition(nameof(ConsoleRedirection), DisableParallelization = true)]
public sealed class ConsoleRedirection
{
    /// <summary>What <c>c360 <paramref name="args"/></c> returned and wrote (invoked as the program invokes it), restoring the console afterwards.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(errors);
        try
        {
            var exitCode = await C360Cli.InvokeAsync(args, cancellationToken);
            return (exitCode, output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
