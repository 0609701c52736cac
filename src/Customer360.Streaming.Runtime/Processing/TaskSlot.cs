namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A task as the partition group's choice sees it: its sub-topology's index, its partitions' slots, and since when it has waited.</summary>
internal sealed class TaskSlot(int sub, PartitionSlot[] partitions)
{
    public int Sub { get; } = sub;

    public PartitionSlot[] Partitions { get; } = partitions;

    public long? WaitingSince { get; set; }
}
