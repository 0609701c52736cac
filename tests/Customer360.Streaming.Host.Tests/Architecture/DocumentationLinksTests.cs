using System.Text.RegularExpressions;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Architecture;

/// <summary>
/// Every relative link in the README and the pages under docs/ reaches a file that exists and, when it names one, a
/// heading of that file: sections move between the README and docs/, and a link left behind fails here.
/// </summary>
public sealed partial class DocumentationLinksTests
{
    [Fact]
    public void Every_relative_link_reaches_an_existing_file_and_heading()
    {
        var pages = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "docs"), "*.md")
            .Prepend(Path.Combine(RepositoryLayout.Root, "README.md"))
            .ToList();
        var broken = new List<string>();

        foreach (var page in pages)
        {
            var links = LinkTarget().Matches(File.ReadAllText(page)).Select(m => m.Groups["target"].Value);
            foreach (var target in links.Where(t => !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal)))
            {
                var (path, anchor) = target.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? (target[..hash], target[(hash + 1)..]) : (target, "");
                var file = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, path));
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    broken.Add($"{Path.GetFileName(page)} → {target} (no such file)");
                }
                else if (anchor.Length > 0 && file.EndsWith(".md", StringComparison.Ordinal) && !HeadingAnchors(file).Contains(anchor))
                {
                    broken.Add($"{Path.GetFileName(page)} → {target} (no such heading)");
                }
            }
        }

        Assert.True(pages.Count > 1, "expected the README and pages under docs/");
        Assert.True(broken.Count == 0, "broken links: " + string.Join("; ", broken));
    }

    [Theory]
    [InlineData("## Throughput: the end-to-end drain", "throughput-the-end-to-end-drain")]
    [InlineData("### Endpoints of `c360 run`", "endpoints-of-c360-run")]
    [InlineData("### Scaling out: partitions, threads and processes", "scaling-out-partitions-threads-and-processes")]
    public void A_heading_is_reached_by_the_anchor_github_makes_of_it(string heading, string anchor)
    {
        var file = Path.Combine(Path.GetTempPath(), $"c360-links-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, heading + "\n");
        try
        {
            Assert.Contains(anchor, HeadingAnchors(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>GitHub's anchors: the heading's text in lower case, punctuation other than hyphens dropped, spaces as hyphens.</summary>
    private static HashSet<string> HeadingAnchors(string markdownFile) =>
        [.. File.ReadLines(markdownFile)
            .Select(line => Heading().Match(line))
            .Where(m => m.Success)
            .Select(m => NotInAnchor().Replace(m.Groups["text"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-'))];

    /// <summary>The target of an inline link, which may follow link text broken over lines.</summary>
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N}_\- ]")]
    private static partial Regex NotInAnchor();
}
