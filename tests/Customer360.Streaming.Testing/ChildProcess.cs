using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Customer360.Streaming.Testing;

/// <summary>
/// A program started by a test with its output collected line by line; killed on dispose if still running, so a
/// failing test never leaves processes behind.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stdout.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>CPU the program has used so far, all its threads, user and kernel.</summary>
    public TimeSpan TotalProcessorTime => _process.TotalProcessorTime;

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public IReadOnlyList<string> StandardError => [.. _stderr];

    public string AllOutput => string.Join(Environment.NewLine, _stdout.Concat(_stderr));

    /// <summary>Starts a program; environment variables with a null value are removed from the inherited environment.</summary>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        bool redirectStandardInput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStandardInput,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("C360__", StringComparison.Ordinal)).ToList())
        {
            // A developer's own C360__ settings must not leak into a test's configuration.
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}"));
    }

    /// <summary>Runs a program to completion and returns it (for short tools such as kcat).</summary>
    public static async Task<ChildProcess> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? standardInput = null)
    {
        var child = Start(fileName, arguments, redirectStandardInput: standardInput is not null);
        if (standardInput is not null)
        {
            await child._process.StandardInput.WriteAsync(standardInput);
            child._process.StandardInput.Close();
        }

        if (!await child.WaitForExitAsync(timeout))
        {
            child.Dispose();
            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return child;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            // The exit event can precede the last asynchronous output lines; this overload waits for them.
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for a line of standard output matching <paramref name="predicate"/>.</summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var match = _stdout.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (_process.HasExited)
            {
                return _stdout.FirstOrDefault(predicate);
            }

            await Task.Delay(50);
        }

        return null;
    }

    /// <summary>Asks the process to stop as a service manager would (SIGTERM).</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Ends the process at once (SIGKILL), as a crash would.</summary>
    public void KillNow()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        try
        {
            KillNow();
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
