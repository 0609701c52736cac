using System.Collections.Concurrent;

namespace Customer360.Streaming.Testing;

/// <summary>
/// The temporary folders a test run makes (topology copies, state folders, the working folder of the processors it
/// starts), deleted when the run ends: <see cref="TestScratchCleanup"/> is an assembly fixture of every test project
/// that makes them. A run that is killed leaves them behind, as any temporary folder.
/// </summary>
public sealed class TestScratch
{
    private readonly ConcurrentBag<string> _made = [];
    private readonly Lazy<string> _workingDirectory;

    public TestScratch() => _workingDirectory = new(() => NewDirectory("c360-run-"));

    /// <summary>The run's folders, deleted at its end.</summary>
    public static TestScratch Run { get; } = new();

    /// <summary>
    /// One working folder for every processor the run starts: a processor without <c>Streams:StateDirectory</c> keeps
    /// its stores under <c>state/</c> there, so a restarted one finds them, and they go with the run.
    /// </summary>
    public string WorkingDirectory => _workingDirectory.Value;

    /// <summary>A new empty folder under the system's temporary folder, its name starting with <paramref name="prefix"/>.</summary>
    public string NewDirectory(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        _made.Add(path);
        return path;
    }

    /// <summary>Deletes every folder made so far, with what is in it; one a test deleted itself is skipped.</summary>
    public void DeleteAll()
    {
        while (_made.TryTake(out var path))
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}

/// <summary>Deletes the run's folders (<see cref="TestScratch.Run"/>) when the test assembly is done.</summary>
public sealed class TestScratchCleanup : IDisposable
{
    public void Dispose() => TestScratch.Run.DeleteAll();
}
