using System.Text;
using Customer360.Streaming.Pipeline;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Host.Cli;

/// <summary>Renders the topology as plain text for people and diff tools.</summary>
internal static class TopologyDescription
{
    public static string Render(TopicCatalog catalog, string source)
    {
        var text = new StringBuilder();
        text.AppendLine($"Topology from {source}");
        foreach (var role in Enum.GetValues<TopicRole>())
        {
            var topics = catalog.WithRole(role).ToList();
            if (topics.Count == 0)
            {
                continue;
            }

            text.AppendLine();
            text.AppendLine($"{role} topics:");
            foreach (var topic in topics)
            {
                var traits = new List<string> { $"{topic.Partitions} partitions" };
                if (topic.Compacted)
                {
                    traits.Add("compacted");
                }

                if (topic.CoPartitionGroup is not null)
                {
                    traits.Add($"co-partitioned by {topic.CoPartitionGroup}");
                }

                text.AppendLine($"  {topic.Name,-40} {string.Join(", ", traits)}");
                if (topic.Key is not null)
                {
                    text.AppendLine($"    key: {topic.Key}");
                }

                if (topic.Description is not null)
                {
                    text.AppendLine($"    {topic.Description}");
                }
            }
        }

        text.AppendLine();
        text.AppendLine("Co-partition groups (equal partition counts are checked at startup):");
        foreach (var (group, topics) in catalog.CoPartitionGroups)
        {
            text.AppendLine($"  {group}: {string.Join(", ", topics.Select(t => t.Name))}");
        }

        return text.ToString();
    }
}
