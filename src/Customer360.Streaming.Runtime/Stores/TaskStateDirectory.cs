using System.Globalization;
using System.Text;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// One task's folder under the state directory, <c>&lt;sub-topology&gt;_&lt;partition&gt;</c>: a RocksDB folder per store and
/// a <c>.checkpoint</c> file naming, per store, the offset of the last changelog record the local store holds. A task
/// restores from the record after it; without a checkpoint the local files cannot be trusted and are wiped.
/// </summary>
public sealed class TaskStateDirectory(string stateDirectory, string subTopology, int partition)
{
    private const string CheckpointFile = ".checkpoint";
    private const string FormatLine = "c360-checkpoint 1";

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, $"{subTopology}_{partition.ToString(CultureInfo.InvariantCulture)}");

    public string StorePath(string store) => System.IO.Path.Combine(Path, "rocksdb", store);

    /// <summary>The changelog offset per store the local files are known to hold, or null when there is no usable checkpoint.</summary>
    public IReadOnlyDictionary<string, long>? ReadCheckpoint() => ReadCheckpoint(out _);

    /// <param name="unreadable">Why a checkpoint file that is there could not be used; null when there is none, or it was read.</param>
    public IReadOnlyDictionary<string, long>? ReadCheckpoint(out string? unreadable)
    {
        unreadable = null;
        var file = System.IO.Path.Combine(Path, CheckpointFile);
        if (!File.Exists(file))
        {
            return null;
        }

        var lines = File.ReadAllLines(file, Encoding.UTF8);
        if (lines.Length == 0 || lines[0] != FormatLine)
        {
            unreadable = $"its first line is not '{FormatLine}'";
            return null;
        }

        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                unreadable = $"line {i + 1} is not '<store> <offset>'";
                return null;
            }

            offsets[line[..space]] = offset;
        }

        return offsets;
    }

    /// <summary>Writes the checkpoint atomically: a temporary file, flushed to disk, then moved over the old one.</summary>
    public void WriteCheckpoint(IReadOnlyDictionary<string, long> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        Directory.CreateDirectory(Path);
        var file = System.IO.Path.Combine(Path, CheckpointFile);
        var temporary = file + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.WriteLine(FormatLine);
            foreach (var (store, offset) in offsets.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                writer.WriteLine($"{store} {offset.ToString(CultureInfo.InvariantCulture)}");
            }

            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, file, overwrite: true);
    }

    public void DeleteCheckpoint() => File.Delete(System.IO.Path.Combine(Path, CheckpointFile));

    /// <summary>Removes the task's local state: it restores from the beginning of its changelogs.</summary>
    public void Wipe()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
