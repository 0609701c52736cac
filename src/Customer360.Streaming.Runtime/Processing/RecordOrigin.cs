using System.Globalization;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Where an event first entered the topology. Repartitioned records keep their origin in headers, so a replay of an
/// upstream task (which re-emits the same events at new repartition offsets) is still recognised downstream.
/// </summary>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset)
{
    /// <summary>Key of the origin partition in applied-offset maps.</summary>
    public string PartitionKey => $"{Topic}:{Partition.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}
