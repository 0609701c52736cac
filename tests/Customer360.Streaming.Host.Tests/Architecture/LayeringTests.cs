using System.Text.RegularExpressions;
using System.Xml.Linq;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Architecture;

/// <summary>
/// The project references are the ones docs/architecture.md lists, and they keep the layering: the domain, the
/// runtime and the serdes reference no project, adapters do not reference each other, and nothing references its own
/// or a higher layer.
/// </summary>
public sealed partial class LayeringTests
{
    private const string Prefix = "Customer360.Streaming.";

    private static readonly string[] Layers = ["foundation", "contracts", "product", "adapter", "host"];

    [Fact]
    public void EveryProjectReferencesExactlyWhatTheArchitecturePageLists()
    {
        var documented = Documented();
        var actual = Actual();

        Assert.Equal(documented.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(actual, project => Assert.Equal(
            documented[project.Key].References.Order(StringComparer.Ordinal), project.Value.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void ReferencesPointDown_AndAdaptersDoNotKnowEachOther()
    {
        var documented = Documented();
        foreach (var (project, references) in Actual())
        {
            foreach (var reference in references)
            {
                // Only down; within a layer, only a runtime's test utilities on their runtime (as Kafka's test-utils).
                var down = Array.IndexOf(Layers, documented[reference].Layer) < Array.IndexOf(Layers, documented[project].Layer);
                Assert.True(down || project == $"{reference}.Testing", $"{project} ({documented[project].Layer}) references {reference} ({documented[reference].Layer})");
            }
        }
    }

    [Theory]
    [InlineData("Domain")]
    [InlineData("Runtime")]
    [InlineData("Schemas")]
    public void FoundationProjects_ReferenceNoProject(string project) => Assert.Empty(Actual()[project]);

    private static Dictionary<string, HashSet<string>> Actual() =>
        Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(
                path => Path.GetFileNameWithoutExtension(path)[Prefix.Length..],
                path => XDocument.Load(path).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))[Prefix.Length..])
                    .ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);

    private static Dictionary<string, (string Layer, string[] References)> Documented() =>
        File.ReadLines(Path.Combine(RepositoryLayout.Root, "docs", "architecture.md"))
            .Select(line => TableRow().Match(line))
            .Where(match => match.Success)
            .ToDictionary(
                match => match.Groups["project"].Value,
                match => (match.Groups["layer"].Value, match.Groups["references"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
                StringComparer.Ordinal);

    [GeneratedRegex(@"^\| `Customer360\.Streaming\.(?<project>[A-Za-z.]+)` \| (?<layer>[a-z]+) \| (?<references>[A-Za-z., ]*)\|$")]
    private static partial Regex TableRow();
}
