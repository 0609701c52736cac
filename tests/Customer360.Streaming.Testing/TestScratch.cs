using System.Collections.Concurrent;

namespace Customer360.Streaming.Testing;

/// <summary>
/// The temporary folders a test run makes (topology copies, state folders, the working folder of the processors it
/// starts), deleted when the run ends: <see cref="TestScratchCleanup"/> is an assembly fixture of every test project
/// that makes them. A run that is killed leaves them behind, as any temporary folder.
/// </summary>
public sealed class TestScratch
{
    private const int DeleteAttempts = 3;
    private static readonly TimeSpan DeleteRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentBag<string> _made = [];
    private readonly Lazy<string> _workingDirectory;

    public TestScratch() => _workingDirectory = new(() => NewDirectory("c360-run-"));

    /// <summary>The run's folders, deleted at its end.</summary>
    public static TestScratch Run { get; } = new();

    /// <summary>
    /// One working folder for every program the run starts, so whatever one writes relative to it (a processor without
    /// <c>Streams:StateDirectory</c> keeps its stores under <c>state/</c>) goes with the run.
    /// </summary>
    public string WorkingDirectory => _workingDirectory.Value;

    /// <summary>A new empty folder under the system's temporary folder, its name starting with <paramref name="prefix"/>.</summary>
    public string NewDirectory(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        _made.Add(path);
        return path;
    }

    /// <summary>
    /// Deletes every folder made so far, with what is in it; one a test deleted itself is skipped. A folder a process
    /// still writes to (a child not yet gone) is tried a few times and then left: a temporary folder left behind is
    /// harmless, and a cleanup that threw failed the whole run after its tests had passed.
    /// </summary>
    public void DeleteAll()
    {
        while (_made.TryTake(out var path))
        {
            for (var attempt = 1; Directory.Exists(path); attempt++)
            {
                try
                {
                    Directory.Delete(path, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && attempt < DeleteAttempts)
                {
                    Thread.Sleep(DeleteRetryDelay);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    break;
                }
            }
        }
    }
}

/// <summary>Deletes the run's folders (<see cref="TestScratch.Run"/>) when the test assembly is done.</summary>
public sealed class TestScratchCleanup : IDisposable
{
    public void Dispose() => TestScratch.Run.DeleteAll();
}
