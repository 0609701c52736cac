namespace Customer360.Streaming.Host.Hosting;

/// <summary>
/// Finds the content folders the program reads (<c>topology/</c>, <c>schemas/</c>), so it works from the repository
/// and from a published folder alike: a configured path first, then the nearest folder above the working directory,
/// then the copy shipped beside the program.
/// </summary>
public static class ContentFolders
{
    public const string TopicsFileName = "topics.yaml";

    public static string ResolveDirectory(string? configured) =>
        Resolve("topology", TopicsFileName, configured, "Topology:Directory");

    public static string TopicsFile(string? configuredDirectory) =>
        Path.Combine(ResolveDirectory(configuredDirectory), TopicsFileName);

    /// <summary>stores.yaml beside topics.yaml.</summary>
    public static string StoresFile(string? configuredDirectory) =>
        Path.Combine(ResolveDirectory(configuredDirectory), Pipeline.StoreCatalog.FileName);

    /// <summary>The folder of Avro contracts (one sub-folder per contract).</summary>
    public static string SchemasDirectory(string? configured) =>
        Resolve("schemas", marker: null, configured, "--schemas-dir");

    private static string Resolve(string folderName, string? marker, string? configured, string settingName)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"{settingName} '{full}' does not exist.");
        }

        bool Holds(string candidate) =>
            marker is null ? Directory.Exists(candidate) && Directory.EnumerateFileSystemEntries(candidate).Any() : File.Exists(Path.Combine(candidate, marker));

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, folderName);
            if (Holds(candidate))
            {
                return candidate;
            }
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, folderName);
        return Holds(shipped)
            ? shipped
            : throw new DirectoryNotFoundException($"No {folderName}/ found above the working directory or beside the program; set {settingName}.");
    }
}
