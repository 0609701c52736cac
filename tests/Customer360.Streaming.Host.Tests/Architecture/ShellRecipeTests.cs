using System.Text.RegularExpressions;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Host.Tests.Architecture;

/// <summary>
/// The shell recipes in the README and the pages under docs/ are run as written, so each variable they export must be
/// one bash can export: a name of letters, digits and underscores. librdkafka's settings have dots
/// (<c>C360__Kafka__Properties__security.protocol</c>), and <c>export</c> refuses such a name ("not a valid
/// identifier"): the README's recipe for a real Kafka behind SASL failed at its second line.
/// </summary>
public sealed partial class ShellRecipeTests
{
    [Fact]
    public void Every_variable_a_shell_block_exports_is_one_bash_can_export()
    {
        var exported = new List<string>();
        var refused = new List<string>();
        foreach (var page in Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "docs"), "*.md").Prepend(Path.Combine(RepositoryLayout.Root, "README.md")))
        {
            foreach (Match block in ShellBlock().Matches(File.ReadAllText(page)))
            {
                var exports = block.Groups["body"].Value.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("export ", StringComparison.Ordinal));
                foreach (var name in exports.SelectMany(line => Assignment().Matches(line).Select(m => m.Groups["name"].Value)))
                {
                    exported.Add(name);
                    if (!BashName().IsMatch(name))
                    {
                        refused.Add($"{Path.GetFileName(page)}: export {name}");
                    }
                }
            }
        }

        Assert.NotEmpty(exported);
        Assert.True(refused.Count == 0, "bash cannot export these names (pass them through env instead): " + string.Join("; ", refused));
    }

    [Theory]
    [InlineData("export C360__Kafka__BootstrapServers=broker:9092", "C360__Kafka__BootstrapServers")]
    [InlineData("export C360__Kafka__Properties__sasl.username=…  C360__Kafka__Properties__sasl.password=…", "C360__Kafka__Properties__sasl.password")]
    public void Each_assignment_of_an_export_line_is_read(string line, string name)
    {
        Assert.Contains(name, Assignment().Matches(line).Select(m => m.Groups["name"].Value));
    }

    [GeneratedRegex(@"```(?:bash|sh|shell)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    /// <summary>Each <c>NAME=</c> of an export line: the name runs up to the first '=' from a word's start.</summary>
    [GeneratedRegex(@"(?:^export\s+|\s)(?<name>[^\s=]+)=")]
    private static partial Regex Assignment();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex BashName();
}
