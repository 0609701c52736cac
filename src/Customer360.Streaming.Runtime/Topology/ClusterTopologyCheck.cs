using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;

namespace Customer360.Streaming.Runtime.Topology;

/// <summary>
/// Compares the declared topics with what the cluster has, before any record is consumed: a missing topic or a
/// co-partition group with unequal partition counts would silently join the wrong keys, so startup fails instead.
/// </summary>
public static class ClusterTopologyCheck
{
    /// <param name="bootstrapServers">The address the admin client was given, named when nothing answers there.</param>
    public static void Verify(IAdminClient admin, IEnumerable<TopicSpec> required, TimeSpan timeout, string bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(admin);
        Metadata metadata;
        try
        {
            metadata = admin.GetMetadata(timeout);
        }
        catch (KafkaException ex)
        {
            throw new TopologyException($"Could not read cluster metadata within {timeout.TotalSeconds:0} s: {KafkaFailure.Describe(ex, bootstrapServers)}", ex);
        }

        Verify(metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal), required);
    }

    /// <summary>Checks partition counts found on the cluster (topic → count) against the declaration.</summary>
    public static void Verify(IReadOnlyDictionary<string, int> actualPartitions, IEnumerable<TopicSpec> required)
    {
        ArgumentNullException.ThrowIfNull(actualPartitions);
        var specs = required.ToList();
        var errors = new List<string>();
        foreach (var spec in specs)
        {
            if (!actualPartitions.TryGetValue(spec.Name, out var count))
            {
                errors.Add($"topic '{spec.Name}' does not exist (create it with {spec.Partitions} partitions)");
            }
            else if (count != spec.Partitions)
            {
                errors.Add($"topic '{spec.Name}' has {count} partitions, topics.yaml declares {spec.Partitions}");
            }
        }

        foreach (var group in specs.Where(s => s.CoPartitionGroup is not null).GroupBy(s => s.CoPartitionGroup))
        {
            var counts = group.Where(s => actualPartitions.ContainsKey(s.Name))
                .Select(s => (s.Name, Count: actualPartitions[s.Name])).ToList();
            if (counts.Select(c => c.Count).Distinct().Count() > 1)
            {
                errors.Add($"co-partition group '{group.Key}' is not co-partitioned on the cluster ("
                    + string.Join(", ", counts.Select(c => $"{c.Name}={c.Count}")) + ")");
            }
        }

        if (errors.Count > 0)
        {
            throw new TopologyException("The cluster does not match topics.yaml:" + Environment.NewLine + "  - "
                + string.Join(Environment.NewLine + "  - ", errors));
        }
    }
}
