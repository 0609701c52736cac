using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Host.Web;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Cli;

/// <summary><c>c360 run</c>: the processor, configured from appsettings.json and C360__* environment variables.</summary>
internal static partial class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the stream processor (configuration: appsettings.json, then C360__Section__Key environment variables).");
        command.SetAction(async (_, cancellationToken) =>
            Build(() => ProcessorHost.Build(), Console.Error) is { } app ? await RunAsync(app, cancellationToken) : ExitCodes.InvalidConfiguration);
        return command;
    }

    /// <summary>
    /// Builds the processor host, or says why its settings file cannot be read (an appsettings.json that is not JSON,
    /// after an edit) and returns null: the host reads the file while it is built, before any option is validated.
    /// </summary>
    public static WebApplication? Build(Func<WebApplication> build, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            return build();
        }
        catch (InvalidDataException ex) when (ex.InnerException is FormatException { InnerException: JsonException json })
        {
            var file = QuotedPath().Match(ex.Message) is { Success: true } quoted ? quoted.Groups["path"].Value : "a settings file";
            var reason = json.Message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0].TrimEnd('.', ' ');
            errors.WriteLine($"Invalid configuration: {file} is not valid JSON (line {json.LineNumber + 1}): {reason}.");
            return null;
        }
    }

    /// <summary>Runs a built host to completion and turns startup failures into a message and an exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, CancellationToken cancellationToken, TextWriter? errors = null) =>
        await StartAsync(app, cancellationToken, errors) ?? await ServeAsync(app, cancellationToken);

    /// <summary>
    /// Starts a built host: null once it runs (<see cref="ServeAsync"/> then serves it). A failed start stops what had
    /// started and disposes the host; a problem the user can mend is said on <paramref name="errors"/> and its exit code
    /// returned, anything else thrown.
    /// </summary>
    public static async Task<int?> StartAsync(WebApplication app, CancellationToken cancellationToken, TextWriter? errors = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        errors ??= Console.Error;
        // A start that fails part way leaves the services that started before the failing one running (the host
        // does not stop them): left so, the processor's stream thread outlived its RocksDB stores as the process
        // ended (a demo's state folder stayed behind, and once it ended in a segmentation fault). Every failure stops
        // the app first.
        try
        {
            await app.StartAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (StartupProblem(ex, app) is { } problem)
        {
            await errors.WriteLineAsync(problem);
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            return ExitCodes.InvalidConfiguration;
        }
        catch
        {
            // Anything unexpected surfaces as before, once stopped.
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Serves a started host until SIGINT/SIGTERM, or until the processor asks to stop after a failure; then stops and disposes it.</summary>
    public static async Task<int> ServeAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using (app)
        {
            Log.PagesListening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PageEndpoints)), PageEndpoints.Url(app));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGINT/SIGTERM, or the processor asked to stop after a failure.
            }

            await app.StopAsync(CancellationToken.None);
            return Environment.ExitCode;
        }
    }

    /// <summary>
    /// What to tell the user when <paramref name="startup"/> is a problem they can mend (each then stops what started
    /// and exits with code 2): the settings, the pages' port, or the topology files. Null for anything else.
    /// </summary>
    private static string? StartupProblem(Exception startup, WebApplication app)
    {
        if (ConfigurationFailures(startup) is { Count: > 0 } failures)
        {
            return SettingsSection.Describe(failures);
        }

        return startup switch
        {
            // Kestrel binds after the services' own starts, before the processor waits for the cluster: the pages' port is taken.
            IOException { InnerException: AddressInUseException } =>
                $"Startup failed: Http:Port {app.Configuration[$"{HttpOptions.SectionName}:Port"]} is in use by another process; choose another, or 0 for a free one.",
            TopologyException or DirectoryNotFoundException or ArgumentException or ProcessLockTakenException => $"Startup failed: {startup.Message}",
            _ => null,
        };
    }

    /// <summary>
    /// What is wrong with the settings, when that is all <paramref name="startup"/> is: options that failed validation
    /// (a value of the wrong type among them: <see cref="SettingsSection"/> names it before the binder would throw).
    /// With more than one section wrong, the host's start throws them together in an <see cref="AggregateException"/>.
    /// Empty when anything else failed.
    /// </summary>
    private static List<string> ConfigurationFailures(Exception startup)
    {
        var failures = new List<string>();
        foreach (var ex in startup is AggregateException all ? all.Flatten().InnerExceptions : [startup])
        {
            if (ex is not OptionsValidationException invalid)
            {
                return [];
            }

            failures.AddRange(invalid.Failures);
        }

        return failures;
    }

    /// <summary>The file named in the configuration loader's message ("Failed to load configuration from file '…'.").</summary>
    [GeneratedRegex("'(?<path>[^']+)'")]
    private static partial Regex QuotedPath();
}
