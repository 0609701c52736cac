using System.Globalization;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Benchmarks;

/// <summary>
/// What a child process has used so far: CPU, and on Linux its minor page faults (the kernel's count in
/// <c>/proc/&lt;pid&gt;/stat</c>). On this shared machine a drain's CPU per input moves less than its rate, and the faults show
/// memory the process touched for the first time, which the kernel must zero: both told the gen-0 budget's effect
/// apart from the machine's spread (docs/performance.md, "Fresh pages: the gen-0 budget").
/// </summary>
internal readonly record struct ProcessUsage(TimeSpan Cpu, long? MinorFaults)
{
    /// <summary>Field 10 of <c>/proc/&lt;pid&gt;/stat</c>, counted after the command name, which may hold spaces and ends at the last ')'.</summary>
    private const int MinorFaultsField = 10;

    public static ProcessUsage Of(ChildProcess process) => new(process.TotalProcessorTime, MinorFaultsOf(process.Id));

    public static ProcessUsage operator -(ProcessUsage end, ProcessUsage start) =>
        new(end.Cpu - start.Cpu, end.MinorFaults - start.MinorFaults);

    /// <summary>"5.1 s of CPU (23.6 µs per input), 80,512 minor page faults" for <paramref name="inputs"/> inputs.</summary>
    public string Describe(long inputs) =>
        string.Create(CultureInfo.InvariantCulture, $"{Cpu.TotalSeconds:0.0} s of CPU ({Cpu.TotalMicroseconds / Math.Max(1, inputs):0.0} µs per input)")
        + (MinorFaults is { } faults ? string.Create(CultureInfo.InvariantCulture, $", {faults:N0} minor page faults") : string.Empty);

    private static long? MinorFaultsOf(int pid)
    {
        try
        {
            var fields = StatFields(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"));
            return long.Parse(fields[MinorFaultsField - 3], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// The fields of a process's or thread's <c>stat</c> after "id (name) ", so field N of proc(5) is at index N − 3.
    /// The name may hold spaces and parentheses; it ends at the last ')'.
    /// </summary>
    public static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
}
