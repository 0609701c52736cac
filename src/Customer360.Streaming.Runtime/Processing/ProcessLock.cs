using System.Security.Cryptography;
using System.Text;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// What one process holds alone while it runs, as an OS lock on a file (an exclusive flock on Linux, which the OS lets
/// go when the process ends, however it ends):
/// <list type="bullet">
/// <item>its state directory, as Kafka Streams holds it (the folder's <c>.lock</c>): a second process in the folder
/// would open the first one's task stores, which RocksDB refuses part way through an assignment;</item>
/// <item>its instance id on this host, when the id names its clients to the brokers (exactly_once_v2's
/// <c>transactional.id</c>, static membership's <c>group.instance.id</c>): two processes with one id fence each
/// other's producers, or take each other's partitions, over and over.</item>
/// </list>
/// </summary>
public sealed class ProcessLock : IDisposable
{
    public const string StateDirectoryFileName = ".lock";

    private readonly FileStream _file;

    private ProcessLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="directory"/>, creating the folder.</summary>
    public static ProcessLock StateDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        return Acquire(
            Path.Combine(directory, StateDirectoryFileName),
            FileOptions.None,
            reason => $"Streams:StateDirectory {directory} is in use by another process ({reason}): give each process its own folder.");
    }

    /// <summary>Takes the lock of <paramref name="instanceId"/> for <paramref name="applicationId"/> on this host.</summary>
    public static ProcessLock Instance(string applicationId, string instanceId) =>
        Acquire(
            InstancePath(applicationId, instanceId),
            // Gone with the process that held it (after a clean end; a killed one leaves an empty file, which the next takes).
            FileOptions.DeleteOnClose,
            _ => $"Streams:InstanceId {instanceId} of application {applicationId} is in use by another process on this host: its stream threads' "
                + $"transactional.id and group.instance.id ({applicationId}-{instanceId}-<thread>) would fence the other's; give each process its own Streams:InstanceId.");

    /// <summary>
    /// Where an instance id's lock lives: the system's temporary folder, named by a digest of the two ids (an instance id
    /// may hold any character, and two ids must not share a file).
    /// </summary>
    public static string InstancePath(string applicationId, string instanceId)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{applicationId}\0{instanceId}"));
        return Path.Combine(Path.GetTempPath(), $"c360-instance-{Convert.ToHexStringLower(digest)[..24]}.lock");
    }

    public void Dispose() => _file.Dispose();

    private static ProcessLock Acquire(string path, FileOptions options, Func<string, string> taken)
    {
        try
        {
            // FileShare.None is an exclusive flock on Linux: another open of the file, in this process or another, fails.
            return new ProcessLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, options));
        }
        catch (IOException ex)
        {
            throw new ProcessLockTakenException(taken(ex.Message), ex);
        }
    }
}

/// <summary>A lock of <see cref="ProcessLock"/> is held elsewhere: a setting to mend, said with the setting's name.</summary>
public sealed class ProcessLockTakenException(string message, Exception inner) : IOException(message, inner);
