using System.Collections.ObjectModel;
using System.Text.RegularExpressions;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Runtime.Topology;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// The topics the product declares, loaded from <c>topics.yaml</c> and validated as a whole. The runtime knows only
/// <see cref="TopicSpec"/>s; this catalog and its YAML belong to the product.
/// </summary>
public sealed partial class TopicCatalog
{
    private const int MaxPartitions = 10_000;

    private TopicCatalog(IReadOnlyList<TopicSpec> topics) => Topics = topics;

    public IReadOnlyList<TopicSpec> Topics { get; }

    public IEnumerable<TopicSpec> WithRole(TopicRole role) => Topics.Where(t => t.Role == role);

    /// <summary>Co-partition groups by name, each with its topics in declaration order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicSpec>> CoPartitionGroups =>
        Topics.Where(t => t.CoPartitionGroup is not null)
            .GroupBy(t => t.CoPartitionGroup!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TopicSpec>)g.ToList(), StringComparer.Ordinal);

    public static TopicCatalog Load(string path) => Parse(YamlCatalog.Read(path, "Topic catalog"), path);

    /// <summary>Parses and validates a catalog; every problem found is listed in one exception.</summary>
    public static TopicCatalog Parse(string yaml, string sourceName)
    {
        var document = YamlCatalog.Parse<CatalogDocument>(yaml, sourceName);

        var errors = new List<string>();
        var topics = new List<TopicSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = document?.Topics ?? [];
        if (entries.Count == 0)
        {
            errors.Add("declares no topics (expected a 'topics:' list)");
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var where = $"topics[{i}]" + (string.IsNullOrWhiteSpace(entry.Name) ? string.Empty : $" '{entry.Name}'");
            if (!IsLegalTopicName(entry.Name))
            {
                errors.Add($"{where}: 'name' must be 1-249 characters of letters, digits, '.', '_' or '-'");
                continue;
            }

            if (!seen.Add(entry.Name))
            {
                errors.Add($"{where}: 'name' is declared twice");
            }

            if (!EnumNames.TryParseName<TopicRole>(entry.Role, out var role))
            {
                errors.Add($"{where}: 'role' must be one of input, table, output, internal, deadletter (was '{entry.Role}')");
            }

            if (entry.Partitions is not (>= 1 and <= MaxPartitions))
            {
                errors.Add($"{where}: 'partitions' must be between 1 and {MaxPartitions} (was {entry.Partitions})");
            }

            topics.Add(new TopicSpec(
                entry.Name, role, entry.Partitions, entry.Compacted, NullIfBlank(entry.Copartition),
                NullIfBlank(entry.Key), NullIfBlank(entry.Description), NullIfBlank(entry.ValueSchema)));
        }

        if (topics.Count(t => t.Role == TopicRole.DeadLetter) > 1)
        {
            errors.Add("more than one topic has role deadletter");
        }

        foreach (var group in topics.Where(t => t.CoPartitionGroup is not null).GroupBy(t => t.CoPartitionGroup))
        {
            if (group.Select(t => t.Partitions).Distinct().Count() > 1)
            {
                var counts = string.Join(", ", group.Select(t => $"{t.Name}={t.Partitions}"));
                errors.Add($"co-partition group '{group.Key}' mixes partition counts ({counts})");
            }
        }

        YamlCatalog.ThrowIfInvalid(errors, sourceName);
        return new TopicCatalog(new ReadOnlyCollection<TopicSpec>(topics));
    }

    /// <summary>Whether Kafka takes <paramref name="name"/> as a topic name: 1-249 of its characters, and neither "." nor "..".</summary>
    public static bool IsLegalTopicName(string? name) => name is not (null or "." or "..") && TopicNamePattern().IsMatch(name);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicNamePattern();

    private sealed class CatalogDocument
    {
        // "key: ~" in YAML sets a list to null; it reads as empty, which the validation reports.
        public List<TopicEntry> Topics { get; set => field = value ?? []; } = [];
    }

    private sealed class TopicEntry
    {
        public string Name { get; set; } = string.Empty;

        public string Role { get; set; } = string.Empty;

        public int Partitions { get; set; }

        public bool Compacted { get; set; }

        public string? Copartition { get; set; }

        public string? Key { get; set; }

        public string? Description { get; set; }

        public string? ValueSchema { get; set; }
    }
}
