namespace Customer360.Streaming.Testing;

/// <summary>Finds third-party programs the tests drive (kcat, redis-server, node) on PATH.</summary>
public static class ExternalTools
{
    public static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The install hint every skip message carries, so a reader knows how to turn the test on.</summary>
    public static string InstallHint(string package) =>
        $"'{package}' is not installed; ./scripts/test.sh installs it when run as root (apt-get install -y {package})";
}
