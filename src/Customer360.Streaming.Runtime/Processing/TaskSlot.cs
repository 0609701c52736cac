namespace Customer360.Streaming.Runtime.Processing;

/// <summary>A task as the partition group's choice sees it: its sub-topology's index, its partitions' slots, and since when it has waited.</summary>
internal sealed class TaskSlot(int sub, PartitionSlot[] partitions)
{
    public int Sub { get; } = sub;

    public PartitionSlot[] Partitions { get; } = partitions;

    public long? WaitingSince { get; set; }

    /// <summary>
    /// One look at every partition: the one whose buffered head is oldest (ties go to the first listed; null when
    /// nothing is buffered), and whether any partition has nothing buffered and may still get records. A task without
    /// such a partition neither waits nor starves (<see cref="PartitionSlot.Settled"/>), so the choice needs nothing
    /// more of it.
    /// </summary>
    public (PartitionSlot? Oldest, bool AnyEmpty) Survey()
    {
        PartitionSlot? oldest = null;
        var anyEmpty = false;
        var partitions = Partitions;
        for (var i = 0; i < partitions.Length; i++)
        {
            var slot = partitions[i];
            if (slot.Count == 0)
            {
                anyEmpty |= !slot.Settled;
            }
            else if (oldest is null || slot.HeadTimestampMs < oldest.HeadTimestampMs)
            {
                oldest = slot;
            }
        }

        return (oldest, anyEmpty);
    }
}
