namespace Customer360.Streaming.Host.Hosting;

/// <summary>Where the declarative content lives (configuration section <c>Topology</c>).</summary>
public sealed class TopologyOptions
{
    public const string SectionName = "Topology";

    /// <summary>Folder holding topics.yaml and stores.yaml; empty means the nearest <c>topology/</c> above the working directory, else the copy shipped with the program.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Folder of Avro contracts; empty means the nearest <c>schemas/</c>, else the copy shipped with the program.</summary>
    public string SchemasDirectory { get; set; } = string.Empty;
}
