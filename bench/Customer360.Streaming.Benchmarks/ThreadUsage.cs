using System.Globalization;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// The CPU each thread of a child process has used so far, by the thread's name, from <c>/proc/&lt;pid&gt;/task</c>
/// (Linux). Two readings a drain apart say whether the stream thread was on a core the whole time (the drain is bound by
/// its CPU per input) or waited, and what the process's other threads (the JIT, collections, the Kafka clients) took
/// from the machine's cores meanwhile.
/// </summary>
internal sealed class ThreadUsage
{
    /// <summary>utime and stime are fields 14 and 15 of a task's stat, in clock ticks (USER_HZ, 100 a second on Linux).</summary>
    private const int UserTimeField = 14;
    private const double TicksPerSecond = 100;

    /// <summary>Kinds of threads by the start of their name, in the order the line lists them; the rest are "other".</summary>
    private static readonly (string Prefix, string Kind)[] Kinds =
    [
        ("StreamThread-", "stream"),
        (".NET Tiered Com", "JIT"),
        (".NET Server GC", "collections"),
        (".NET BGC", "collections"),
        ("rdk:", "Kafka clients"),
        (".NET TP Worker", "thread pool"),
        ("rocksdb:", "RocksDB"),
    ];

    private readonly Dictionary<int, (string Name, long Ticks)> _threads;

    private ThreadUsage(Dictionary<int, (string Name, long Ticks)> threads) => _threads = threads;

    /// <summary>The threads of <paramref name="pid"/> now; empty where /proc is not there.</summary>
    public static ThreadUsage Of(int pid)
    {
        var threads = new Dictionary<int, (string, long)>();
        var tasks = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task";
        if (!Directory.Exists(tasks))
        {
            return new ThreadUsage(threads);
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var fields = ProcessUsage.StatFields(File.ReadAllText(Path.Combine(task, "stat")));
                var ticks = long.Parse(fields[UserTimeField - 3], CultureInfo.InvariantCulture) + long.Parse(fields[UserTimeField - 2], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, ticks);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The thread ended while it was read.
            }
        }

        return new ThreadUsage(threads);
    }

    /// <summary>
    /// "StreamThread-1 on a core 94 % of the drain (7.9 s); JIT 1.9 s, Kafka clients 1.5 s, …" between
    /// <paramref name="start"/> and this reading, <paramref name="drain"/> apart. Threads that ended in between are not counted.
    /// </summary>
    public string DescribeSince(ThreadUsage start, TimeSpan drain)
    {
        if (_threads.Count == 0)
        {
            return "(not known: no /proc)";
        }

        var used = _threads.Select(t => (Id: t.Key, t.Value.Name, Seconds: (t.Value.Ticks - (start._threads.TryGetValue(t.Key, out var before) ? before.Ticks : 0)) / TicksPerSecond)).ToList();
        // A thread a stream thread starts without naming it inherits its name: the busiest of a name is the stream thread.
        var streamThreads = used.Where(t => KindOf(t.Name) == "stream").GroupBy(t => t.Name, StringComparer.Ordinal)
            .Select(g => g.MaxBy(t => t.Seconds)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var streams = streamThreads
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} on a core {100 * t.Seconds / drain.TotalSeconds:0} % of the drain ({t.Seconds:0.0} s)"));
        var others = used.Where(t => !streamThreads.Any(s => s.Id == t.Id)).GroupBy(t => KindOf(t.Name) == "stream" ? "other" : KindOf(t.Name))
            .Select(g => (Kind: g.Key, Seconds: g.Sum(t => t.Seconds)))
            .OrderBy(g => g.Kind == "other" ? Kinds.Length : Array.FindIndex(Kinds, k => k.Kind == g.Kind))
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Kind} {g.Seconds:0.0} s"));
        return string.Join(", ", streams) + "; " + string.Join(", ", others);
    }

    private static string KindOf(string name) => Kinds.FirstOrDefault(k => name.StartsWith(k.Prefix, StringComparison.Ordinal)).Kind ?? "other";
}
