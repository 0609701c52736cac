namespace Customer360.Streaming.Testing;

/// <summary>Per-test names for topics, groups and Redis keys, so tests sharing a broker or Redis never see each other.</summary>
public sealed class UniqueNames
{
    private static int _sequence;

    public UniqueNames(string testName)
    {
        Prefix = $"t{Interlocked.Increment(ref _sequence)}-{Environment.ProcessId}-{Sanitize(testName)}";
    }

    public string Prefix { get; }

    public string Topic(string name) => $"{Prefix}.{name}";

    public string Group(string name = "group") => $"{Prefix}-{name}";

    private static string Sanitize(string name)
    {
        var kept = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(40).ToArray());
        return kept.Length == 0 ? "test" : kept;
    }
}
