namespace Customer360.Streaming.Testing;

/// <summary>
/// Facts about the run a reader of the test log needs (which broker, what was not verified). Appended to the file
/// named by <c>C360_TEST_REPORT</c> (./scripts/test.sh prints it at the end, whatever the runner captured), else stderr.
/// </summary>
public static class TestRunReport
{
    private static readonly HashSet<string> Said = [];

    public static void Note(string line)
    {
        lock (Said)
        {
            if (Said.Add(line))
            {
                var report = Environment.GetEnvironmentVariable("C360_TEST_REPORT");
                if (string.IsNullOrEmpty(report))
                {
                    Console.Error.WriteLine($"[test-run] {line}");
                }
                else
                {
                    File.AppendAllText(report, line + Environment.NewLine);
                }
            }
        }
    }
}
