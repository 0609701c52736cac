namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// One process per state directory, held as Kafka Streams holds it: an OS lock on the folder's <c>.lock</c> file for
/// as long as the process runs (the OS lets it go when the process ends, however it ends). A second process in the
/// folder would open the first one's task stores, which RocksDB refuses part way through an assignment.
/// </summary>
public sealed class StateDirectoryLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _file;

    private StateDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="directory"/>, creating the folder; throws <see cref="StateDirectoryInUseException"/> when it cannot.</summary>
    public static StateDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        try
        {
            // FileShare.None is an exclusive flock on Linux: another open of the file, in this process or another, fails.
            return new StateDirectoryLock(new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new StateDirectoryInUseException(directory, ex);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The state directory's lock is taken: another process (or another processor in this one) uses the folder.</summary>
public sealed class StateDirectoryInUseException(string directory, Exception inner)
    : IOException($"Streams:StateDirectory {directory} is in use by another process ({inner.Message}): give each process its own folder.", inner);
