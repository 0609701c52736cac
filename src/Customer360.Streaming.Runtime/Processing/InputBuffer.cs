using Confluent.Kafka;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// Records fetched but not yet processed, per partition. A task takes them in timestamp order across its partitions
/// (Kafka Streams' choice of the head with the lowest timestamp), so a beacon sighting fetched before the GPS fix that
/// preceded it is still processed after it. While a partition of the task has nothing buffered but the broker holds
/// more of it, the task waits for that data rather than guess, up to the idle limit.
/// </summary>
/// <param name="refusedAhead">How far ahead of the clock the processors take a timestamp (<see cref="StreamTopology.RefusedAhead"/>); null: any.</param>
internal sealed class InputBuffer(int pauseAbove, TimeSpan? refusedAhead = null, TimeProvider? time = null)
{
    private readonly Dictionary<TopicPartition, PartitionSlot> _slots = [];

    /// <summary>The last limit <see cref="TakenAtOnceAbove"/> worked out (long's minimum until it first does).</summary>
    private long _takenAtOnceAboveMs = long.MinValue;

    public int Count { get; private set; }

    public IEnumerable<PartitionSlot> Slots => _slots.Values;

    /// <summary>The partition's slot, made on first use; it stays until <see cref="Remove"/>.</summary>
    public PartitionSlot Slot(TopicPartition partition)
    {
        if (!_slots.TryGetValue(partition, out var slot))
        {
            slot = new PartitionSlot(partition);
            _slots[partition] = slot;
        }

        return slot;
    }

    public PartitionSlot? Find(TopicPartition partition) => _slots.GetValueOrDefault(partition);

    public PartitionSlot Add(ConsumeResult<byte[]?, byte[]?> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var slot = Slot(record.TopicPartition);
        slot.Enqueue(record, TakenAtOnceAbove(record.Message.Timestamp.UnixTimestampMs));
        Count++;
        return slot;
    }

    /// <summary>
    /// The timestamp above which the processors refuse a record, so it is handed out as soon as it heads its partition
    /// rather than in timestamp order (see <see cref="PartitionSlot.HeadTimestampMs"/>). The clock is read only when a
    /// record is dated past the last limit: live records are dated about now, minutes below it.
    /// </summary>
    private long TakenAtOnceAbove(long timestampMs)
    {
        if (refusedAhead is not { } ahead)
        {
            return long.MaxValue;
        }

        if (timestampMs > _takenAtOnceAboveMs)
        {
            _takenAtOnceAboveMs = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds() + (long)ahead.TotalMilliseconds;
        }

        return _takenAtOnceAboveMs;
    }

    /// <summary>Fetching more of this partition would only grow the buffer: pause it.</summary>
    public bool Full(PartitionSlot slot) => slot.Count >= pauseAbove;

    /// <summary>Anything buffered for these partitions.</summary>
    public static bool Any(PartitionSlot[] slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i].Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The partition whose head a task over <paramref name="slots"/> would take next: the lowest timestamp among the
    /// buffered heads (ties go to the first partition listed, so the choice is stable). None when nothing is buffered,
    /// or when a partition with nothing buffered may still have records on the broker and <paramref name="enforce"/>
    /// is false (the task has not waited long enough yet). Nothing is taken.
    /// </summary>
    /// <param name="mayHaveMore">Whether an empty partition may still get records; null: none is waited for.</param>
    public static PartitionSlot? Head(PartitionSlot[] slots, Func<PartitionSlot, bool>? mayHaveMore, bool enforce)
    {
        ArgumentNullException.ThrowIfNull(slots);
        PartitionSlot? best = null;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot.Count == 0)
            {
                if (!enforce && mayHaveMore is not null && mayHaveMore(slot))
                {
                    return null;
                }

                continue;
            }

            if (best is null || slot.HeadTimestampMs < best.HeadTimestampMs)
            {
                best = slot;
            }
        }

        return best;
    }

    public ConsumeResult<byte[]?, byte[]?> Take(PartitionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        Count--;
        return slot.Dequeue();
    }

    /// <summary>Forgets a partition's records (rewound to be fetched again); the slot stays.</summary>
    public void Drop(PartitionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        Count -= slot.Count;
        slot.Clear();
    }

    /// <summary>The partition left the thread: its slot and records go.</summary>
    public void Remove(TopicPartition partition)
    {
        if (_slots.Remove(partition, out var slot))
        {
            Count -= slot.Count;
        }
    }
}
