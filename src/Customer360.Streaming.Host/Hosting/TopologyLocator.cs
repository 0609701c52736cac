namespace Customer360.Streaming.Host.Hosting;

/// <summary>Finds the topology folder, so the program works from the repository and from a published folder alike.</summary>
public static class TopologyLocator
{
    public const string TopicsFileName = "topics.yaml";

    public static string ResolveDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"Topology:Directory '{full}' does not exist.");
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "topology");
            if (File.Exists(Path.Combine(candidate, TopicsFileName)))
            {
                return candidate;
            }
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "topology");
        return File.Exists(Path.Combine(shipped, TopicsFileName))
            ? shipped
            : throw new DirectoryNotFoundException("No topology/topics.yaml found above the working directory or beside the program; set Topology:Directory.");
    }

    public static string TopicsFile(string? configuredDirectory) =>
        Path.Combine(ResolveDirectory(configuredDirectory), TopicsFileName);
}
