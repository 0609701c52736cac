using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>Where a list item of a rule sits in the rule file, for errors that name a line and column.</summary>
internal static class YamlPositions
{
    /// <summary>"line L, column C: " of <c>rules[rule].field[item]</c>, or nothing when the file cannot be walked that way.</summary>
    public static string Describe(string yaml, int rule, string field, int item)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
                && root.Children.TryGetValue(new YamlScalarNode("rules"), out var rules) && rules is YamlSequenceNode ruleList && rule < ruleList.Children.Count
                && ruleList.Children[rule] is YamlMappingNode entry && entry.Children.TryGetValue(new YamlScalarNode(field), out var values)
                && values is YamlSequenceNode list && item < list.Children.Count)
            {
                var start = list.Children[item].Start;
                return string.Create(CultureInfo.InvariantCulture, $"line {start.Line}, column {start.Column}: ");
            }
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // The document parsed once already; if walking it fails, the error goes without a position.
        }

        return string.Empty;
    }
}
