namespace Customer360.Streaming.Testing;

/// <summary>Paths in the repository and build output, found from the test assembly's folder.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string TopologyDirectory => Path.Combine(Root, "topology");

    /// <summary>The shipped topics.yaml.</summary>
    public static string TopicsFile => Path.Combine(TopologyDirectory, "topics.yaml");

    /// <summary>
    /// The c360 program: the one <c>C360_DLL</c> names (the ReadyToRun publish, which <c>scripts/bench.sh</c> passes to the
    /// benchmarks), else the build in the same configuration as the running code.
    /// </summary>
    public static string C360Dll => Environment.GetEnvironmentVariable("C360_DLL") is { Length: > 0 } chosen
        ? chosen
        : Built(Path.Combine("src", "Customer360.Streaming.Host"), "c360.dll");

    /// <summary>The counting-topology process the crash tests kill.</summary>
    public static string TestHostDll => Built(Path.Combine("tests", "Customer360.Streaming.Runtime.TestHost"), "Customer360.Streaming.Runtime.TestHost.dll");

    private static string Built(string project, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var dll = Path.Combine(Root, project, "bin", configuration, "net10.0", assembly);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {assembly} not found", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Customer360.Streaming.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Customer360.Streaming.sln not found above " + AppContext.BaseDirectory);
    }
}
